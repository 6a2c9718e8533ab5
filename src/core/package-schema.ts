import { StackwrightInputError } from "./errors";
import { ownValue } from "./own";
import { parseYaml } from "./yaml";

/**
 * The parts of a Pulumi package schema (https://www.pulumi.com/docs/iac/using-pulumi/extending-pulumi/schema/)
 * that Stackwright reads. Unknown fields are ignored.
 */
export interface PackageSchema {
  readonly name: string;
  readonly version?: string;
  readonly pluginDownloadURL?: string;
  readonly parameterization?: {
    readonly baseProvider?: { readonly name?: string; readonly version?: string };
    readonly parameter?: string;
  };
  readonly resources?: Readonly<Record<string, ResourceSpec>>;
  readonly types?: Readonly<Record<string, ComplexTypeSpec>>;
}

export interface ResourceSpec {
  readonly isComponent?: boolean;
  readonly description?: string;
  readonly inputProperties?: Readonly<Record<string, PropertySpec>>;
  readonly requiredInputs?: readonly string[];
  readonly properties?: Readonly<Record<string, PropertySpec>>;
  readonly required?: readonly string[];
}

export interface EnumValueSpec {
  readonly name?: string;
  readonly description?: string;
  readonly value: string | number | boolean;
}

export interface ComplexTypeSpec {
  readonly type?: string;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, PropertySpec>>;
  readonly required?: readonly string[];
  readonly enum?: readonly EnumValueSpec[];
}

export interface TypeSpec {
  readonly type?: string;
  readonly $ref?: string;
  readonly items?: TypeSpec;
  readonly additionalProperties?: TypeSpec;
  readonly oneOf?: readonly TypeSpec[];
}

export interface PropertySpec extends TypeSpec {
  readonly description?: string;
  readonly default?: unknown;
  readonly secret?: boolean;
  readonly const?: unknown;
}

/** A component resource picked out of a package schema. */
export interface SelectedComponent {
  readonly schema: PackageSchema;
  readonly token: string;
  readonly resource: ResourceSpec;
}

/**
 * Parses a package schema from JSON or YAML text. `source` names where it came from, for messages.
 */
export function parsePackageSchema(text: string, source: string): PackageSchema {
  let value: unknown;
  try {
    // YAML is a superset of JSON, so one parser reads both.
    value = parseYaml(text);
  } catch (error) {
    throw StackwrightInputError.single(
      source,
      `is not valid JSON or YAML: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw StackwrightInputError.single(source, "a Pulumi package schema must be an object");
  }
  const schema = value as Record<string, unknown>;
  if (typeof schema.name !== "string" || schema.name === "") {
    throw StackwrightInputError.single(source, "a Pulumi package schema needs a non-empty string 'name'");
  }
  // Both become the Program's `packages` entry, `<name>@<version>`: nothing in them may read as
  // Pulumi YAML syntax.
  if (!PACKAGE_NAME.test(schema.name)) {
    throw StackwrightInputError.single(
      `${source}: name`,
      "must be a package name: letters, digits, '-', '_' and '.', starting with a letter",
    );
  }
  if (
    schema.version !== undefined &&
    (typeof schema.version !== "string" || !PACKAGE_VERSION.test(schema.version))
  ) {
    throw StackwrightInputError.single(`${source}: version`, "must be a version such as 1.2.3");
  }
  for (const section of ["resources", "types"] as const) {
    const entries = schema[section];
    if (entries === undefined) continue;
    if (!isPlainObject(entries))
      throw StackwrightInputError.single(`${source}: ${section}`, "must be an object");
    for (const [token, entry] of Object.entries(entries)) {
      if (!isPlainObject(entry)) {
        throw StackwrightInputError.single(`${source}: ${section}.${token}`, "must be an object");
      }
    }
  }
  return schema as unknown as PackageSchema;
}

/** The tokens of every component resource (`isComponent: true`) in the schema, sorted. */
export function componentTokens(schema: PackageSchema): string[] {
  return Object.entries(schema.resources ?? {})
    .filter(([, resource]) => resource.isComponent === true)
    .map(([token]) => token)
    .sort();
}

/**
 * Picks the component resource: the one named by `token`, or the only one when `token` is absent.
 * `tokenField` names where the token came from (an environment variable or a flag), for messages.
 */
export function selectComponent(
  schema: PackageSchema,
  token: string | undefined,
  tokenField: string,
): SelectedComponent {
  const tokens = componentTokens(schema);
  if (tokens.length === 0) {
    throw StackwrightInputError.single(
      "schema",
      `package '${schema.name}' has no component resource (no resource with isComponent: true)`,
    );
  }
  if (token === undefined || token === "") {
    if (tokens.length > 1) {
      throw StackwrightInputError.single(
        tokenField,
        `package '${schema.name}' has ${tokens.length} components; set ${tokenField} to one of: ${tokens.join(", ")}`,
      );
    }
    token = tokens[0] as string;
  }
  const resource = ownValue(schema.resources, token);
  if (resource === undefined || resource.isComponent !== true) {
    throw StackwrightInputError.single(
      tokenField,
      `'${token}' is not a component of package '${schema.name}'; expected one of: ${tokens.join(", ")}`,
    );
  }
  if (!TYPE_TOKEN.test(token)) {
    throw StackwrightInputError.single(
      `schema: resources.${token}`,
      "is not a Pulumi type token (package:module:Type, without '$' or spaces)",
    );
  }
  return { schema, token, resource };
}

const PACKAGE_NAME = /^[A-Za-z][-A-Za-z0-9_.]*$/;
const PACKAGE_VERSION = /^v?[0-9]+(\.[0-9]+)*([-+][0-9A-Za-z.+-]*)?$/;

/** The token becomes the Program's resource `type`: nothing in it may read as Pulumi YAML syntax. */
const TYPE_TOKEN = /^[^:$\s]+:[^:$\s]*:[^:$\s]+$/;

/**
 * True for a plain key/value object — what JSON and YAML give, or an object literal — and false for
 * arrays and for instances of classes (a Pulumi Output, a Date): their own keys are not data.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
