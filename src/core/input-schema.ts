import { StackwrightInputError } from "./errors";
import type {
  ComplexTypeSpec,
  PackageSchema,
  PropertySpec,
  SelectedComponent,
  TypeSpec,
} from "./package-schema";

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
  const secretInputs: SecretInput[] = [];
  const spec = deriver.objectSchema(
    component.resource.inputProperties ?? {},
    component.resource.requiredInputs ?? [],
    component.resource.description,
    [],
    secretInputs,
  );
  assertDistinctConfigKeys(secretInputs);
  return {
    spec,
    secretInputs,
    omittedSecretInputs: deriver.omitted,
    outputs: Object.keys(component.resource.properties ?? {}).sort(),
  };
}

class SchemaDeriver {
  /** Type tokens being expanded, outermost first: a token met again is a cycle. */
  private readonly expanding: string[] = [];
  /** Paths of optional secret inputs that PKO configuration cannot carry (see secretInput). */
  readonly omitted: string[] = [];

  constructor(private readonly pkg: PackageSchema) {}

  objectSchema(
    properties: Readonly<Record<string, PropertySpec>>,
    required: readonly string[],
    description: string | undefined,
    path: readonly string[],
    secrets: SecretInput[] | undefined,
  ): JsonSchema {
    const out: JsonSchema = { type: "object" };
    if (description) out.description = description;
    const props: Record<string, JsonSchema> = {};
    const requiredOut: string[] = [];
    for (const name of Object.keys(properties).sort()) {
      const prop = properties[name] as PropertySpec;
      const propPath = [...path, name];
      if (prop.secret === true) {
        if (secrets === undefined) {
          throw StackwrightInputError.single(
            `schema: ${propPath.join(".")}`,
            "a secret property inside an array or map cannot be wired to a Kubernetes Secret; mark the array or map itself secret instead",
          );
        }
        const secret = this.secretInput(prop, propPath, required.includes(name));
        if (secret !== undefined) secrets.push(secret);
        continue;
      }
      props[name] = this.property(prop, propPath, secrets);
      if (required.includes(name)) requiredOut.push(name);
    }
    out.properties = props;
    if (requiredOut.length > 0) out.required = requiredOut;
    return out;
  }

  private property(
    prop: PropertySpec,
    path: readonly string[],
    secrets: SecretInput[] | undefined,
  ): JsonSchema {
    const out = this.type(prop, path, secrets);
    const annotated: JsonSchema = { ...out };
    if (prop.description) annotated.description = prop.description;
    if (prop.default !== undefined) annotated.default = prop.default;
    if (prop.const !== undefined) annotated.enum = [prop.const];
    return annotated;
  }

  private type(spec: TypeSpec, path: readonly string[], secrets: SecretInput[] | undefined): JsonSchema {
    if (spec.$ref !== undefined) return this.reference(spec.$ref, path, secrets);
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
          items: spec.items ? this.type(spec.items, [...path, "[]"], undefined) : { ...ANY },
        } satisfies JsonSchema;
      case "object":
        return spec.additionalProperties
          ? ({
              type: "object",
              additionalProperties: this.type(spec.additionalProperties, [...path, "{}"], undefined),
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

  private reference(ref: string, path: readonly string[], secrets: SecretInput[] | undefined): JsonSchema {
    // Only this package's own types are expanded; Pulumi built-ins (Any, Json, Asset, Archive),
    // resource references and other packages' types are accepted as any value.
    if (!ref.startsWith("#/types/")) return { ...ANY };
    const token = decodeURIComponent(ref.slice("#/types/".length));
    const type = this.pkg.types?.[token];
    if (type === undefined) {
      throw StackwrightInputError.single(
        `schema: ${path.join(".")}`,
        `$ref '${ref}' names a type that is not in the schema's types`,
      );
    }
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
    if (type.enum !== undefined) {
      const base = type.type ?? "string";
      if (!PRIMITIVES.has(base)) {
        throw StackwrightInputError.single(`schema: types.${token}`, `enum of type '${base}'`);
      }
      const out: JsonSchema = {
        type: base as JsonSchema["type"],
        enum: type.enum.map((v) => v.value),
      };
      if (type.description) out.description = type.description;
      return out;
    }
    if (type.type !== undefined && type.type !== "object") {
      throw StackwrightInputError.single(
        `schema: types.${token}`,
        `type '${type.type}' without an enum; object types and enums are the only named types`,
      );
    }
    return this.objectSchema(type.properties ?? {}, type.required ?? [], type.description, path, secrets);
  }

  /**
   * A secret input of a type that PKO configuration cannot carry (a boolean, an object, a map) is
   * left out: the request API cannot offer it. If the component requires it, that is an error.
   */
  private secretInput(
    prop: PropertySpec,
    path: readonly string[],
    required: boolean,
  ): SecretInput | undefined {
    const configType = this.configType(prop);
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

  private configType(spec: TypeSpec): ConfigType | undefined {
    const scalar = (t: TypeSpec): "String" | "Number" | undefined => {
      if (t.$ref?.startsWith("#/types/")) {
        const named = this.pkg.types?.[decodeURIComponent(t.$ref.slice("#/types/".length))];
        if (named?.enum !== undefined) return named.type === "string" || !named.type ? "String" : "Number";
        return undefined;
      }
      if (t.type === "string") return "String";
      if (t.type === "integer" || t.type === "number") return "Number";
      return undefined;
    };
    if (spec.type === "array" && spec.items) {
      const item = scalar(spec.items);
      return item === undefined ? undefined : `List<${item}>`;
    }
    return scalar(spec);
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
