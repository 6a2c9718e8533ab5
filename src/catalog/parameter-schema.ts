import type { Problem } from "../core/errors";
import { ownValue } from "../core/own";
import { isPlainObject } from "../core/package-schema";
import { patternError } from "./safe-pattern";

/**
 * A template's parameters, as JSON Schema: an object whose properties are the parameters a tenant
 * fills in, each becoming stack configuration of the same name. A parameter marked `writeOnly`
 * is a secret: it is sent, stored encrypted and given to the program as secret configuration,
 * and never shown again.
 */
export interface ParameterSchema {
  readonly type: "object";
  readonly properties: Readonly<Record<string, ParameterProperty>>;
  readonly required?: readonly string[];
  readonly additionalProperties: false;
}

export type ParameterType = "string" | "integer" | "number" | "boolean" | "array" | "object";

export interface ParameterProperty {
  readonly type: ParameterType;
  readonly title?: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly items?: Readonly<Record<string, unknown>>;
  readonly writeOnly?: boolean;
  readonly [keyword: string]: unknown;
}

/** Parameter names are stack configuration keys: Pulumi's plain key form. */
const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
const PARAMETER_TYPES: readonly ParameterType[] = [
  "string",
  "integer",
  "number",
  "boolean",
  "array",
  "object",
];
/** Keywords a parameter may use: what a form can render and a constraint can narrow. */
const PARAMETER_KEYWORDS = new Set([
  "type",
  "title",
  "description",
  "default",
  "enum",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minLength",
  "maxLength",
  "pattern",
  "items",
  "minItems",
  "maxItems",
  "uniqueItems",
  "properties",
  "additionalProperties",
  "required",
  "writeOnly",
]);
export const MAX_PARAMETERS = 200;
export const MAX_PATTERN_LENGTH = 256;

/**
 * Checks the shape of a template's parameter schema and returns it, or every problem found, with
 * paths under `at`. Whether defaults satisfy their own parameter is checked with the validator
 * (parameter-validator.ts), which knows every keyword.
 */
export function readParameterSchema(
  value: unknown,
  at = "parameters",
): { schema: ParameterSchema; problems: readonly [] } | { schema?: undefined; problems: Problem[] } {
  const problems: Problem[] = [];
  if (!isPlainObject(value)) return { problems: [{ at, message: "expected a JSON Schema object" }] };
  if (value.type !== "object") problems.push({ at: `${at}.type`, message: 'expected "object"' });
  for (const key of Object.keys(value))
    if (!["type", "properties", "required", "additionalProperties", "title", "description"].includes(key))
      problems.push({
        at: `${at}.${key}`,
        message:
          "is not supported; expected type, properties, required, additionalProperties, title, description",
      });
  if (value.additionalProperties !== undefined && value.additionalProperties !== false)
    problems.push({
      at: `${at}.additionalProperties`,
      message: "must be false: a template takes only its parameters",
    });
  const properties = value.properties ?? {};
  if (!isPlainObject(properties)) {
    problems.push({ at: `${at}.properties`, message: "expected an object of parameters" });
    return { problems };
  }
  const names = Object.keys(properties);
  if (names.length > MAX_PARAMETERS)
    problems.push({
      at: `${at}.properties`,
      message: `has ${names.length} parameters; at most ${MAX_PARAMETERS}`,
    });
  for (const name of names)
    checkProperty(name, ownValue(properties, name), `${at}.properties.${name}`, problems);
  const required = value.required ?? [];
  if (!Array.isArray(required) || !required.every((r) => typeof r === "string"))
    problems.push({ at: `${at}.required`, message: "expected a list of parameter names" });
  else
    for (const [i, name] of required.entries())
      if (ownValue(properties, name) === undefined)
        problems.push({
          at: `${at}.required[${i}]`,
          message: `names no parameter; expected one of: ${names.join(", ") || "(none)"}`,
        });
  if (problems.length > 0) return { problems };
  return {
    schema: {
      type: "object",
      properties: properties as Record<string, ParameterProperty>,
      ...(Array.isArray(required) && required.length > 0 && { required: required as string[] }),
      additionalProperties: false,
    },
    problems: [],
  };
}

function checkProperty(name: string, property: unknown, at: string, problems: Problem[]): void {
  if (!PARAMETER_NAME.test(name))
    problems.push({
      at,
      message: "is not a valid parameter name; expected a letter, then letters, digits or _ (at most 63)",
    });
  if (!isPlainObject(property)) {
    problems.push({ at, message: "expected a JSON Schema object" });
    return;
  }
  if (!PARAMETER_TYPES.includes(property.type as ParameterType))
    problems.push({ at: `${at}.type`, message: `expected one of ${PARAMETER_TYPES.join(", ")}` });
  for (const keyword of Object.keys(property))
    if (!PARAMETER_KEYWORDS.has(keyword))
      problems.push({ at: `${at}.${keyword}`, message: "is not a keyword a parameter may use" });
  if (property.writeOnly !== undefined && typeof property.writeOnly !== "boolean")
    problems.push({ at: `${at}.writeOnly`, message: "expected true or false" });
  // A secret travels as text, in its own request field and the engine's secret configuration.
  if (property.writeOnly === true && property.type !== "string")
    problems.push({ at: `${at}.type`, message: "a secret (writeOnly) parameter must be a string" });
  // A secret's default would be written in the template for every tenant to read.
  if (property.writeOnly === true && property.default !== undefined)
    problems.push({ at: `${at}.default`, message: "a secret (writeOnly) parameter cannot have a default" });
  if (property.pattern !== undefined) checkPattern(property.pattern, `${at}.pattern`, problems);
}

/** A pattern must compile in RE2's syntax (see safe-pattern.ts), and stay short. */
export function checkPattern(pattern: unknown, at: string, problems: Problem[]): void {
  if (typeof pattern !== "string") {
    problems.push({ at, message: "expected a regular expression as a string" });
    return;
  }
  if (pattern.length > MAX_PATTERN_LENGTH) {
    problems.push({ at, message: `is ${pattern.length} characters long; at most ${MAX_PATTERN_LENGTH}` });
    return;
  }
  const error = patternError(pattern);
  if (error !== undefined)
    problems.push({
      at,
      message: `is not a regular expression in RE2 syntax (no backreferences or lookaround): ${error}`,
    });
}
