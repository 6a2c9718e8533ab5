import { StackwrightInputError } from "./errors";
import { isPlainObject } from "./package-schema";

/**
 * The shape of the parts of a package schema that Stackwright reads, checked node by node as the
 * input schema is derived, so that a malformed schema is bad input with its place named rather
 * than a crash. `where` is a location in the schema such as `types.acme:index:Db.required`.
 */

function malformed(where: string, expected: string): StackwrightInputError {
  return StackwrightInputError.single(`schema: ${where}`, `must be ${expected}`);
}

/** `inputProperties`, `properties`: name → property spec. */
export function propertyMap<T>(value: unknown, where: string): Readonly<Record<string, T>> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw malformed(where, "an object of property specs");
  for (const [name, property] of Object.entries(value)) {
    if (!isPlainObject(property)) throw malformed(`${where}.${name}`, "an object (a property spec)");
  }
  return value as Record<string, T>;
}

/** `requiredInputs`, `required`: property names. */
export function nameList(value: unknown, where: string): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((name) => typeof name !== "string")) {
    throw malformed(where, "a list of property names");
  }
  return value;
}

const STRING_FIELDS = ["type", "$ref", "description"] as const;
const OBJECT_FIELDS = ["items", "additionalProperties"] as const;

/** A property or type spec: the fields read from it have the types the schema format gives them. */
export function checkTypeSpec(spec: Record<string, unknown>, where: string): void {
  for (const field of STRING_FIELDS) {
    if (spec[field] !== undefined && typeof spec[field] !== "string")
      throw malformed(`${where}.${field}`, "a string");
  }
  for (const field of OBJECT_FIELDS) {
    if (spec[field] !== undefined && !isPlainObject(spec[field])) {
      throw malformed(`${where}.${field}`, "an object (a type spec)");
    }
  }
  if (spec.secret !== undefined && typeof spec.secret !== "boolean")
    throw malformed(`${where}.secret`, "a boolean");
  if (spec.oneOf !== undefined && !Array.isArray(spec.oneOf))
    throw malformed(`${where}.oneOf`, "a list of type specs");
}

/** An enum type's values: `[{value: …}, …]`, each a string, a finite number or a boolean. */
export function enumValues(value: unknown, where: string): (string | number | boolean)[] {
  const values = Array.isArray(value)
    ? value.map((v) => (isPlainObject(v) ? v.value : undefined))
    : undefined;
  const valid = (v: unknown) =>
    typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));
  if (values === undefined || values.length === 0 || !values.every(valid)) {
    throw malformed(where, "a non-empty list of {value: …}, each value a string, a number or a boolean");
  }
  return values as (string | number | boolean)[];
}

/** The token of a `$ref` to one of the package's own types (`#/types/<token>`, %-escaped). */
export function localTypeToken(ref: string, where: string): string | undefined {
  if (!ref.startsWith("#/types/")) return undefined;
  try {
    return decodeURIComponent(ref.slice("#/types/".length));
  } catch {
    throw StackwrightInputError.single(`schema: ${where}`, `$ref '${ref}' has a malformed %-escape`);
  }
}
