/**
 * TypeScript types for Kubernetes' own objects, from the OpenAPI v3 document the API server
 * serves for their group. One interface per named object schema reachable from the roots; a
 * reference to another named object becomes its type's name, so each is declared once.
 */
import type { JSONSchema4, JSONSchema4TypeName } from "json-schema";
import { declareType, header } from "./gen-json-schema";

export interface OpenApiTypesRequest {
  /** The OpenAPI document's JSON text. */
  readonly docText: string;
  /** Where it is in the repository, for the generated file's header. */
  readonly docPath: string;
  /** The schemas to declare (with every named object schema they refer to), e.g. `io.k8s…ObjectMeta`. */
  readonly roots: readonly string[];
  /** Schemas declared in another generated file: their type's name and the module to import it from. */
  readonly imports?: Readonly<Record<string, { readonly name: string; readonly from: string }>>;
  /**
   * Schemas whose Go type marshals itself, which the document can only describe in prose: their
   * TypeScript type, written out.
   */
  readonly overrides?: Readonly<Record<string, string>>;
}

interface OpenApiSchema {
  readonly type?: JSONSchema4TypeName;
  readonly description?: string;
  readonly properties?: Record<string, OpenApiSchema>;
  readonly additionalProperties?: OpenApiSchema | boolean;
  readonly items?: OpenApiSchema;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly $ref?: string;
  readonly allOf?: readonly OpenApiSchema[];
}

const SCHEMAS = "#/components/schemas/";

/** The generated module's text, not yet formatted (see gen-format.ts). */
export async function openApiTypes(request: OpenApiTypesRequest): Promise<string> {
  const schemas = (
    JSON.parse(request.docText) as { components?: { schemas?: Record<string, OpenApiSchema> } }
  ).components?.schemas;
  if (schemas === undefined) throw new Error(`${request.docPath} has no components.schemas`);
  const imports = request.imports ?? {};
  const overrides = request.overrides ?? {};
  const pending = [...request.roots];
  const declared = new Map<string, string>();

  const schemaOf = (key: string): OpenApiSchema => {
    const schema = schemas[key];
    if (schema === undefined) throw new Error(`${request.docPath} has no schema ${key}`);
    return schema;
  };
  /** A named object schema becomes a type of its own; anything else is written inline. */
  const isNamed = (key: string) => schemaOf(key).type === "object" && schemaOf(key).properties !== undefined;

  const translate = (node: OpenApiSchema): JSONSchema4 => {
    const out: JSONSchema4 = node.description !== undefined ? { description: node.description } : {};
    // A reference with a description of its own comes wrapped in a one-element allOf.
    const ref = node.$ref ?? (node.allOf?.length === 1 ? node.allOf[0]?.$ref : undefined);
    if (ref !== undefined) {
      if (!ref.startsWith(SCHEMAS)) throw new Error(`${request.docPath}: unsupported $ref ${ref}`);
      const key = ref.slice(SCHEMAS.length);
      const written = overrides[key] ?? imports[key]?.name;
      if (written !== undefined) return { ...out, tsType: written };
      if (isNamed(key)) {
        if (!declared.has(key) && !pending.includes(key)) pending.push(key);
        return { ...out, tsType: typeName(key) };
      }
      // A scalar such as Time (a string) or JSON (any value): written out where it is used, with
      // the description of the place that uses it.
      return { ...translate(schemaOf(key)), ...out };
    }
    if (node.type === undefined) return { ...out, tsType: "unknown" };
    out.type = node.type;
    if (node.enum !== undefined) out.enum = [...node.enum] as JSONSchema4["enum"];
    if (node.required !== undefined) out.required = [...node.required];
    if (node.items !== undefined) out.items = translate(node.items);
    if (node.properties !== undefined)
      out.properties = Object.fromEntries(
        Object.entries(node.properties).map(([name, child]) => [name, translate(child)]),
      );
    if (typeof node.additionalProperties === "object")
      out.additionalProperties = translate(node.additionalProperties);
    // An object the document does not describe field by field (FieldsV1, RawExtension) holds
    // whatever its Go type marshals.
    else if (node.type === "object" && node.properties === undefined) out.additionalProperties = true;
    return out;
  };

  const declarations: string[] = [];
  for (let key = pending.shift(); key !== undefined; key = pending.shift()) {
    if (declared.has(key)) continue;
    const clash = [...declared].find(([other, name]) => name === typeName(key) && other !== key);
    if (clash !== undefined) throw new Error(`${key} and ${clash[0]} would both be ${typeName(key)}`);
    declared.set(key, typeName(key));
    declarations.push(await declareType(typeName(key), translate(schemaOf(key))));
  }
  const imported = Object.fromEntries(Object.values(imports).map(({ name, from }) => [name, from]));
  return header(request.docPath, imported) + declarations.join("\n");
}

/** `io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta` → `ObjectMeta`. */
function typeName(key: string): string {
  return key.slice(key.lastIndexOf(".") + 1);
}
