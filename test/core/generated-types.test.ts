import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { crdTypes } from "../../scripts/gen-crd-types";
import { formatTypeScript } from "../../scripts/gen-format";
import { GENERATED_FILES, generatedText } from "../../scripts/gen-types";
import { REPO_ROOT } from "../support/paths";

/** The core's types generated from the PKO CRDs and Kubernetes' OpenAPI document, under crds/. */
describe("src/core/generated/", () => {
  for (const path of [
    "src/core/generated/object-meta.ts",
    "src/core/generated/pko-program.ts",
    "src/core/generated/pko-stack.ts",
  ])
    it(`${path} is exactly what its source generates (regenerate with npm run gen:types)`, async () => {
      const file = GENERATED_FILES.find((f) => f.path === path);
      assert.ok(file, `${path} is not among the generated files`);
      const committed = readFileSync(join(REPO_ROOT, path), "utf8");
      // Not assert.equal: the Stack's types are 400 KB, too long a diff to read.
      assert.ok(
        committed === (await generatedText(file, REPO_ROOT)),
        `${path} is stale: run npm run gen:types`,
      );
    });
});

/** One CRD version, its schema's properties as given: what the generator makes of each. */
async function typesOf(properties: Record<string, unknown>): Promise<string> {
  const crd = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    spec: {
      versions: [
        {
          name: "v1",
          schema: {
            openAPIV3Schema: { type: "object", properties: { metadata: { type: "object" }, ...properties } },
          },
        },
      ],
    },
  };
  const text = await crdTypes({
    crdText: JSON.stringify(crd),
    crdPath: "crds/widget.yaml",
    version: "v1",
    typeName: "Widget",
    objectMetaFrom: "./object-meta",
  });
  return formatTypeScript(text, "src/core/generated/widget.ts", REPO_ROOT);
}

/** The text as one line, spaces squeezed: the assertions need not follow the formatter's line breaks. */
const flat = (text: string) => text.replace(/\s+/g, " ");

describe("the CRD types generator", () => {
  it("types the top-level metadata as Kubernetes' ObjectMeta, imported", async () => {
    const text = await typesOf({});
    assert.match(text, /^import type \{ ObjectMeta \} from "\.\/object-meta";$/m);
    assert.match(text, /^ {2}metadata\?: ObjectMeta;$/m);
  });

  it("closes objects Kubernetes would prune, and opens those x-kubernetes-preserve-unknown-fields keeps", async () => {
    const text = flat(
      await typesOf({
        closed: { type: "object", properties: { a: { type: "string" } }, required: ["a"] },
        open: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        anything: { "x-kubernetes-preserve-unknown-fields": true },
        pruned: { type: "object" },
        list: { type: "array", "x-kubernetes-preserve-unknown-fields": true, items: { type: "object" } },
        named: {
          type: "object",
          "x-kubernetes-preserve-unknown-fields": true,
          properties: { inner: { type: "object", properties: { b: { type: "integer" } } } },
        },
      }),
    );
    assert.match(text, / closed\?: \{ a: string; \};/);
    assert.match(text, / open\?: \{ \[k: string\]: unknown; \};/);
    assert.match(text, / anything\?: unknown;/);
    assert.match(text, / pruned\?: Record<string, never>;/);
    assert.match(text, / list\?: \{ \[k: string\]: unknown; \}\[\];/);
    // Pruning starts again below a node that names its fields.
    assert.match(text, / named\?: \{ inner\?: \{ b\?: number; \}; \[k: string\]: unknown; \};/);
  });

  it("types int-or-string, enums and embedded objects as Kubernetes reads them", async () => {
    const text = flat(
      await typesOf({
        port: { "x-kubernetes-int-or-string": true },
        mode: { type: "string", enum: ["Fast", "Safe"] },
        embedded: {
          type: "object",
          "x-kubernetes-embedded-resource": true,
          "x-kubernetes-preserve-unknown-fields": true,
        },
      }),
    );
    assert.match(text, / port\?: number \| string;/);
    assert.match(text, / mode\?: "Fast" \| "Safe";/);
    assert.match(text, / embedded\?: \{ apiVersion: string; kind: string; metadata\?: ObjectMeta; \};/);
  });

  it("says which version is missing", async () => {
    await assert.rejects(
      crdTypes({
        crdText: "spec: {versions: [{name: v1}]}",
        crdPath: "crds/widget.yaml",
        version: "v2",
        typeName: "Widget",
        objectMetaFrom: "./object-meta",
      }),
      /^Error: crds\/widget\.yaml has no openAPIV3Schema for version v2$/,
    );
  });
});
