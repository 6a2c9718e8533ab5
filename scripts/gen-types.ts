/**
 * `npm run gen:types`: writes the TypeScript the repository generates from its contracts: the
 * components' types from schema.json; the PKO Program and Stack and the Kratix Promise from their
 * CRDs; Kubernetes' ObjectMeta and CustomResourceDefinition from the API server's OpenAPI document
 * (all under crds/). Each file has a test that fails while it differs from what this writes.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { crdTypes } from "./gen-crd-types";
import { formatTypeScript } from "./gen-format";
import { openApiTypes } from "./gen-openapi-types";
import { type PackageSchemaJson, schemaTypes } from "./gen-schema-types";

export interface GeneratedFile {
  /** Where it is written, relative to the repository. */
  readonly path: string;
  /** Its text, unformatted, from the files it is generated from in the repository at `root`. */
  generate(root: string): Promise<string>;
}

const read = (root: string, path: string) => readFileSync(join(root, path), "utf8");

/** Kubernetes' own objects, from the OpenAPI document its API server serves for apiextensions.k8s.io/v1. */
const KUBERNETES_OPENAPI = "crds/kubernetes/apiextensions.k8s.io_v1.json";
const OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const APIEXTENSIONS = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1";

function crdFile(path: string, crdPath: string, version: string, typeName: string): GeneratedFile {
  return {
    path,
    generate: (root) =>
      crdTypes({
        crdText: read(root, crdPath),
        crdPath,
        version,
        typeName,
        objectMetaFrom: modulePath(path, "src/core/generated/object-meta.ts"),
      }),
  };
}

/** The import specifier of `target` from `from`, both repository paths. */
function modulePath(from: string, target: string): string {
  const path = relative(dirname(from), target).replace(/\.ts$/, "");
  return path.startsWith(".") ? path : `./${path}`;
}

export const GENERATED_FILES: readonly GeneratedFile[] = [
  {
    path: "src/components/schema-types.ts",
    generate: async (root) => schemaTypes(JSON.parse(read(root, "schema.json")) as PackageSchemaJson),
  },
  {
    path: "src/core/generated/object-meta.ts",
    generate: (root) =>
      openApiTypes({
        docText: read(root, KUBERNETES_OPENAPI),
        docPath: KUBERNETES_OPENAPI,
        roots: [OBJECT_META],
      }),
  },
  crdFile("src/core/generated/pko-program.ts", "crds/pulumi.com_programs.yaml", "v1", "Program"),
  crdFile("src/core/generated/pko-stack.ts", "crds/pulumi.com_stacks.yaml", "v1", "Stack"),
  {
    path: "src/promise/generated/custom-resource-definition.ts",
    generate: (root) =>
      openApiTypes({
        docText: read(root, KUBERNETES_OPENAPI),
        docPath: KUBERNETES_OPENAPI,
        roots: [`${APIEXTENSIONS}.CustomResourceDefinition`],
        imports: {
          [OBJECT_META]: {
            name: "ObjectMeta",
            from: modulePath(
              "src/promise/generated/custom-resource-definition.ts",
              "src/core/generated/object-meta.ts",
            ),
          },
        },
        // Go types with their own JSON marshalling: the document describes them in words only.
        overrides: {
          [`${APIEXTENSIONS}.JSONSchemaPropsOrBool`]: "JSONSchemaProps | boolean",
          [`${APIEXTENSIONS}.JSONSchemaPropsOrArray`]: "JSONSchemaProps | JSONSchemaProps[]",
          [`${APIEXTENSIONS}.JSONSchemaPropsOrStringArray`]: "JSONSchemaProps | string[]",
        },
      }),
  },
  crdFile(
    "src/promise/generated/kratix-promise.ts",
    "crds/kratix/platform.kratix.io_promises.yaml",
    "v1alpha1",
    "KratixPromise",
  ),
];

/** The file's text as `npm run gen:types` writes it: generated, then formatted. */
export async function generatedText(file: GeneratedFile, root: string): Promise<string> {
  return formatTypeScript(await file.generate(root), file.path, root);
}

async function main(): Promise<void> {
  // Bundled into dist/scripts/ by the npm script.
  const root = resolve(__dirname, "../..");
  for (const file of GENERATED_FILES) {
    const target = join(root, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, await generatedText(file, root));
    process.stdout.write(`wrote ${file.path}\n`);
  }
}

if (require.main === module)
  main().catch((error: unknown) => {
    process.stderr.write(`gen:types: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
