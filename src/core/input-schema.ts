import { StackwrightInputError } from "./errors";
import { ownValue, setOwn } from "./own";
import type {
  ComplexTypeSpec,
  PackageSchema,
  PropertySpec,
  SelectedComponent,
  TypeSpec,
} from "./package-schema";
import { checkTypeSpec, enumValues, localTypeToken, nameList, propertyMap } from "./schema-shape";

/**
 * A JSON Schema that is also a Kubernetes *structural* schema: every node has a `type`, or says
 * it accepts any value with `x-kubernetes-preserve-unknown-fields`; no `$ref`, no unions. The same
 * object validates requests (with Ajv) and becomes a CRD's `openAPIV3Schema`.
 */
export interface JsonSchema {
  type?: "string" | "boolean" | "integer" | "number" | "array" | "object";
  description?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema;
  "x-kubernetes-preserve-unknown-fields"?: true;
}

/** PKO Program `configuration` types (the CRD's enum). */
export type ConfigType = "String" | "Number" | "List<String>" | "List<Number>";

/**
 * An input the schema marks `secret: true`. Its value never travels in a request: the Program
 * reads it from stack configuration `configKey`, which the Stack fills from a Kubernetes Secret.
 */
export interface SecretInput {
  /** Property names from the component's inputs down to this one. */
  readonly path: readonly string[];
  readonly configKey: string;
  readonly configType: ConfigType;
  readonly description?: string;
}

export interface ComponentInputs {
  /** The schema of a request's `spec`: the component's inputs without the secret ones. */
  readonly spec: JsonSchema;
  readonly secretInputs: readonly SecretInput[];
  /** Optional secret inputs left out because PKO configuration cannot carry their type. */
  readonly omittedSecretInputs: readonly string[];
  /** Names of the component's outputs, sorted. */
  readonly outputs: readonly string[];
}

const ANY: JsonSchema = { "x-kubernetes-preserve-unknown-fields": true };
const PRIMITIVES = new Set(["string", "boolean", "integer", "number"]);

/** Derives the request schema, secret inputs and outputs of a component. Pure. */
export function deriveComponentInputs(component: SelectedComponent): ComponentInputs {
  const deriver = new SchemaDeriver(component.schema);
  const where = `resources.${component.token}`;
  const resource = component.resource;
  if (resource.description !== undefined && typeof resource.description !== "string") {
    throw StackwrightInputError.single(`schema: ${where}.description`, "must be a string");
  }
  const secretInputs: SecretInput[] = [];
  const spec = deriver.objectSchema(
    propertyMap<PropertySpec>(resource.inputProperties, `${where}.inputProperties`),
    nameList(resource.requiredInputs, `${where}.requiredInputs`),
    resource.description,
    [],
    `${where}.inputProperties`,
    secretInputs,
  );
  assertDistinctConfigKeys(secretInputs);
  return {
    spec,
    secretInputs,
    omittedSecretInputs: deriver.omitted,
    outputs: outputNames(propertyMap(resource.properties, `${where}.properties`), `${where}.properties`),
  };
}

/**
 * An output becomes the expression `${<resource>.<output>}` in the Program, so its name must be a
 * plain identifier: anything else could close the expression and open another.
 */
function outputNames(properties: Readonly<Record<string, unknown>>, where: string): string[] {
  const names = Object.keys(properties).sort();
  for (const name of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw StackwrightInputError.single(
        `schema: ${where}.${name}`,
        "an output's name must be letters, digits and '_' (it is read as a Pulumi YAML expression)",
      );
    }
  }
  return names;
}

class SchemaDeriver {
  /** Type tokens being expanded, outermost first: a token met again is a cycle. */
  private readonly expanding: string[] = [];
  /** Paths of optional secret inputs that PKO configuration cannot carry (see secretInput). */
  readonly omitted: string[] = [];

  constructor(private readonly pkg: PackageSchema) {}

  /**
   * `path` is the property path from the component's inputs (for messages about requests);
   * `where` the location of `properties` in the schema (for messages about the schema).
   */
  objectSchema(
    properties: Readonly<Record<string, PropertySpec>>,
    required: readonly string[],
    description: string | undefined,
    path: readonly string[],
    where: string,
    secrets: SecretInput[] | undefined,
  ): JsonSchema {
    const out: JsonSchema = { type: "object" };
    if (description) out.description = description;
    const props: Record<string, JsonSchema> = {};
    const requiredOut: string[] = [];
    for (const name of Object.keys(properties).sort()) {
      const prop = properties[name] as PropertySpec;
      const propPath = [...path, name];
      const propWhere = `${where}.${name}`;
      checkTypeSpec(prop as Record<string, unknown>, propWhere);
      if (prop.secret === true) {
        if (secrets === undefined) {
          throw StackwrightInputError.single(
            `schema: ${propPath.join(".")}`,
            "a secret property inside an array or map cannot be wired to a Kubernetes Secret; mark the array or map itself secret instead",
          );
        }
        const secret = this.secretInput(prop, propPath, propWhere, required.includes(name));
        if (secret !== undefined) secrets.push(secret);
        continue;
      }
      setOwn(props, name, this.property(prop, propPath, propWhere, secrets));
      if (required.includes(name)) requiredOut.push(name);
    }
    out.properties = props;
    if (requiredOut.length > 0) out.required = requiredOut;
    return out;
  }

  private property(
    prop: PropertySpec,
    path: readonly string[],
    where: string,
    secrets: SecretInput[] | undefined,
  ): JsonSchema {
    const out = this.type(prop, path, where, secrets);
    const annotated: JsonSchema = { ...out };
    if (prop.description) annotated.description = prop.description;
    if (prop.default !== undefined) annotated.default = prop.default;
    if (prop.const !== undefined) annotated.enum = [prop.const];
    return annotated;
  }

  private type(
    spec: TypeSpec,
    path: readonly string[],
    where: string,
    secrets: SecretInput[] | undefined,
  ): JsonSchema {
    checkTypeSpec(spec as Record<string, unknown>, where);
    if (spec.$ref !== undefined) return this.reference(spec.$ref, path, where, secrets);
    if (spec.oneOf !== undefined) return { ...ANY };
    switch (spec.type) {
      case "string":
      case "boolean":
      case "integer":
      case "number":
        return { type: spec.type } satisfies JsonSchema;
      case "array":
        return {
          type: "array",
          items: spec.items
            ? this.type(spec.items, [...path, "[]"], `${where}.items`, undefined)
            : { ...ANY },
        } satisfies JsonSchema;
      case "object":
        return spec.additionalProperties
          ? ({
              type: "object",
              additionalProperties: this.type(
                spec.additionalProperties,
                [...path, "{}"],
                `${where}.additionalProperties`,
                undefined,
              ),
            } satisfies JsonSchema)
          : ({ type: "object", ...ANY } satisfies JsonSchema);
      case undefined:
        return { ...ANY };
      default:
        throw StackwrightInputError.single(
          `schema: ${path.join(".")}`,
          `unknown type '${spec.type}'; expected string, boolean, integer, number, array or object`,
        );
    }
  }

  /** The package's own type a `$ref` names; undefined for anything else (a built-in, another package's). */
  private localType(ref: string, where: string): { token: string; type: ComplexTypeSpec } | undefined {
    const token = localTypeToken(ref, `${where}.$ref`);
    if (token === undefined) return undefined;
    const type = ownValue(this.pkg.types, token);
    if (type === undefined) {
      throw StackwrightInputError.single(
        `schema: ${where}.$ref`,
        `$ref '${ref}' names a type that is not in the schema's types`,
      );
    }
    return { token, type };
  }

  private reference(
    ref: string,
    path: readonly string[],
    where: string,
    secrets: SecretInput[] | undefined,
  ): JsonSchema {
    // Only this package's own types are expanded; Pulumi built-ins (Any, Json, Asset, Archive),
    // resource references and other packages' types are accepted as any value.
    const local = this.localType(ref, where);
    if (local === undefined) return { ...ANY };
    const { token, type } = local;
    if (this.expanding.includes(token)) {
      throw StackwrightInputError.single(
        `schema: ${path.join(".")}`,
        `types refer to each other in a cycle (${[...this.expanding, token].join(" -> ")}); a request schema cannot be infinite`,
      );
    }
    this.expanding.push(token);
    try {
      return this.complexType(type, token, path, secrets);
    } finally {
      this.expanding.pop();
    }
  }

  private complexType(
    type: ComplexTypeSpec,
    token: string,
    path: readonly string[],
    secrets: SecretInput[] | undefined,
  ): JsonSchema {
    const where = `types.${token}`;
    checkTypeSpec(type as Record<string, unknown>, where);
    if (type.enum !== undefined) {
      const base = type.type ?? "string";
      if (!PRIMITIVES.has(base)) {
        throw StackwrightInputError.single(`schema: ${where}`, `enum of type '${base}'`);
      }
      const out: JsonSchema = {
        type: base as JsonSchema["type"],
        enum: enumValues(type.enum, `${where}.enum`),
      };
      if (type.description) out.description = type.description;
      return out;
    }
    if (type.type !== undefined && type.type !== "object") {
      throw StackwrightInputError.single(
        `schema: ${where}`,
        `type '${type.type}' without an enum; object types and enums are the only named types`,
      );
    }
    return this.objectSchema(
      propertyMap<PropertySpec>(type.properties, `${where}.properties`),
      nameList(type.required, `${where}.required`),
      type.description,
      path,
      `${where}.properties`,
      secrets,
    );
  }

  /**
   * A secret input of a type that PKO configuration cannot carry (a boolean, an object, a map) is
   * left out: the request API cannot offer it. If the component requires it, that is an error.
   */
  private secretInput(
    prop: PropertySpec,
    path: readonly string[],
    where: string,
    required: boolean,
  ): SecretInput | undefined {
    const configType = this.configType(prop, where);
    if (configType === undefined) {
      if (!required) {
        this.omitted.push(path.join("."));
        return undefined;
      }
      throw StackwrightInputError.single(
        `schema: ${path.join(".")}`,
        "a required secret input must be a string, a number or a list of strings or numbers: PKO configuration accepts only String, Number, List<String> and List<Number>",
      );
    }
    const input: SecretInput = { path, configKey: configKeyFor(path), configType };
    return prop.description ? { ...input, description: prop.description } : input;
  }

  private configType(spec: TypeSpec, where: string): ConfigType | undefined {
    const scalar = (t: TypeSpec, at: string): "String" | "Number" | undefined => {
      if (t.$ref !== undefined) {
        const named = this.localType(t.$ref, at)?.type;
        if (named === undefined || named.enum === undefined) return undefined;
        if (named.type === undefined || named.type === "string") return "String";
        return named.type === "integer" || named.type === "number" ? "Number" : undefined;
      }
      if (t.type === "string") return "String";
      if (t.type === "integer" || t.type === "number") return "Number";
      return undefined;
    };
    if (spec.type === "array" && spec.items) {
      checkTypeSpec(spec.items as Record<string, unknown>, `${where}.items`);
      const item = scalar(spec.items, `${where}.items`);
      return item === undefined ? undefined : `List<${item}>`;
    }
    return scalar(spec, where);
  }
}

/**
 * The stack configuration key for a secret input: its path in lower camel case, letters and digits
 * only (`database.password` → `databasePassword`), so that it is a plain Pulumi YAML variable name
 * and a valid Kubernetes Secret key.
 */
export function configKeyFor(path: readonly string[]): string {
  const words = path.flatMap((segment) => segment.split(/[^A-Za-z0-9]+/)).filter(Boolean);
  const key = words
    .map((w, i) => (i === 0 ? w[0]?.toLowerCase() + w.slice(1) : w[0]?.toUpperCase() + w.slice(1)))
    .join("");
  return /^[a-z]/.test(key) ? key : `secret${key[0]?.toUpperCase() ?? ""}${key.slice(1)}`;
}

function assertDistinctConfigKeys(secrets: readonly SecretInput[]): void {
  const seen = new Map<string, string>();
  for (const s of secrets) {
    const other = seen.get(s.configKey);
    if (other !== undefined) {
      throw StackwrightInputError.single(
        `schema: ${s.path.join(".")}`,
        `secret inputs '${other}' and '${s.path.join(".")}' map to the same configuration key '${s.configKey}'; rename one`,
      );
    }
    seen.set(s.configKey, s.path.join("."));
  }
}
