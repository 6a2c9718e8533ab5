/**
 * TypeScript types for one version of a CustomResourceDefinition, from its openAPIV3Schema. A
 * CRD's schema is a Kubernetes structural schema, not plain JSON Schema: toJsonSchema translates
 * it into the JSON Schema that means the same to json-schema-to-typescript.
 */
import { load } from "js-yaml";
import type { JSONSchema4, JSONSchema4TypeName } from "json-schema";
import { declareType, header } from "./gen-json-schema";

export interface CrdTypesRequest {
  /** The CRD's YAML text (one document). */
  readonly crdText: string;
  /** Where the CRD is in the repository, for the generated file's header. */
  readonly crdPath: string;
  /** Which of the CRD's versions to type, e.g. `v1`. */
  readonly version: string;
  /** The name of the object's type, e.g. `Program`. */
  readonly typeName: string;
  /** Where the generated file imports Kubernetes' ObjectMeta from. */
  readonly objectMetaFrom: string;
}

interface StructuralSchema {
  readonly type?: JSONSchema4TypeName;
  readonly description?: string;
  readonly properties?: Record<string, StructuralSchema>;
  readonly additionalProperties?: StructuralSchema | boolean;
  readonly items?: StructuralSchema;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly "x-kubernetes-preserve-unknown-fields"?: boolean;
  readonly "x-kubernetes-int-or-string"?: boolean;
  readonly "x-kubernetes-embedded-resource"?: boolean;
}

interface Crd {
  readonly spec?: {
    readonly versions?: readonly { name: string; schema?: { openAPIV3Schema?: StructuralSchema } }[];
  };
}

/** The generated module's text, not yet formatted (see gen-format.ts). */
export async function crdTypes(request: CrdTypesRequest): Promise<string> {
  const crd = load(request.crdText) as Crd;
  const schema = crd.spec?.versions?.find((v) => v.name === request.version)?.schema?.openAPIV3Schema;
  if (schema === undefined)
    throw new Error(`${request.crdPath} has no openAPIV3Schema for version ${request.version}`);
  const root = toJsonSchema(schema, false);
  // Kubernetes gives every object's top-level metadata the shape of ObjectMeta, which CRDs leave
  // out of their schema (`metadata: {type: object}`).
  if (root.properties?.metadata !== undefined) root.properties.metadata = { tsType: "ObjectMeta" };
  return (
    header(`${request.crdPath}, version ${request.version}`, { ObjectMeta: request.objectMetaFrom }) +
    (await declareType(request.typeName, root))
  );
}

/**
 * A structural schema node as JSON Schema. Kubernetes prunes fields a schema does not name, so an
 * object is closed unless x-kubernetes-preserve-unknown-fields keeps them: on the node itself, or
 * on a node above it (`open`) when nothing in between names fields, since pruning starts again
 * wherever a schema names properties or additionalProperties.
 */
function toJsonSchema(node: StructuralSchema, open: boolean): JSONSchema4 {
  const preserves =
    node["x-kubernetes-preserve-unknown-fields"] === true ||
    (open && node.properties === undefined && node.additionalProperties === undefined);
  const out: JSONSchema4 = {};
  if (node.description !== undefined) out.description = node.description;
  if (node["x-kubernetes-int-or-string"] === true) return { ...out, tsType: "number | string" };
  if (node["x-kubernetes-embedded-resource"] === true)
    // Kubernetes requires an embedded object's apiVersion and kind and checks its metadata; TypeScript's
    // structural typing leaves the rest of it open, where an index signature would refuse
    // interfaces (which have none).
    return {
      ...out,
      type: "object",
      properties: {
        apiVersion: { type: "string" },
        kind: { type: "string" },
        metadata: { tsType: "ObjectMeta" },
      },
      required: ["apiVersion", "kind"],
    };
  if (node.type === undefined) return { ...out, tsType: "unknown" };
  out.type = node.type;
  if (node.enum !== undefined) out.enum = [...node.enum] as JSONSchema4["enum"];
  if (node.required !== undefined) out.required = [...node.required];
  if (node.items !== undefined) out.items = toJsonSchema(node.items, preserves);
  if (node.properties !== undefined)
    out.properties = Object.fromEntries(
      Object.entries(node.properties).map(([name, child]) => [name, toJsonSchema(child, preserves)]),
    );
  if (typeof node.additionalProperties === "object")
    out.additionalProperties = toJsonSchema(node.additionalProperties, preserves);
  else if (node.type === "object" && preserves) out.additionalProperties = true;
  else if (node.type === "object" && node.properties === undefined)
    // An object whose every field would be pruned: only `{}` fits it.
    return { ...out, tsType: "Record<string, never>" };
  return out;
}
