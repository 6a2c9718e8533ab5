import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { limitsText } from "../../components/limits-text";

/** One parameter's limits as the form holds them: text, as typed. */
export interface LimitFields {
  readonly minimum: string;
  readonly maximum: string;
  /** JSON values, comma-separated: `1, 2, 3` or `"small", "large"`. */
  readonly allowedValues: string;
  readonly pattern: string;
}

export interface ConstraintFields {
  readonly allowed: boolean;
  /** Empty or 0: no limit. */
  readonly maxInstances: string;
  readonly parameters: Readonly<Record<string, LimitFields>>;
}

const NO_LIMITS: LimitFields = { minimum: "", maximum: "", allowedValues: "", pattern: "" };

function text(value: JsonValue | undefined): string {
  return value === undefined || value === null ? "" : String(value);
}

/** The form for a template's parameters, filled from the tenant's constraint on it (if any). */
export function fieldsOf(
  constraint: JsonObject | undefined,
  parameterNames: readonly string[],
): ConstraintFields {
  const given = (constraint?.parameters ?? {}) as Record<string, JsonObject>;
  const parameters: Record<string, LimitFields> = {};
  for (const name of new Set([...parameterNames, ...Object.keys(given)])) {
    const limits = given[name];
    parameters[name] =
      limits === undefined
        ? NO_LIMITS
        : {
            minimum: text(limits.minimum),
            maximum: text(limits.maximum),
            allowedValues: Array.isArray(limits.allowedValues)
              ? limits.allowedValues.map((v) => JSON.stringify(v)).join(", ")
              : "",
            pattern: text(limits.pattern),
          };
  }
  return {
    allowed: constraint?.allowed !== false,
    maxInstances: text(constraint?.maxInstances),
    parameters,
  };
}

/**
 * The constraint SetConstraint takes, from the form: empty fields left out. A field that cannot be
 * read (a minimum that is not a number) is named in `problems`, keyed as the service would key it,
 * and nothing is sent; every other rule (narrower than the template, a pattern that compiles) is
 * the service's.
 */
export function constraintOf(fields: ConstraintFields): {
  constraint: JsonObject;
  problems: Record<string, string>;
} {
  const problems: Record<string, string> = {};
  const number = (value: string, at: string): number | undefined => {
    if (value.trim() === "") return undefined;
    const n = Number(value);
    if (!Number.isFinite(n)) problems[at] = "expected a number";
    return n;
  };
  const parameters: Record<string, JsonObject> = {};
  for (const [name, limits] of Object.entries(fields.parameters)) {
    const at = `constraint.parameters.${name}`;
    const read: JsonObject = {};
    const minimum = number(limits.minimum, `${at}.minimum`);
    const maximum = number(limits.maximum, `${at}.maximum`);
    if (minimum !== undefined) read.minimum = minimum;
    if (maximum !== undefined) read.maximum = maximum;
    if (limits.allowedValues.trim() !== "")
      try {
        read.allowedValues = JSON.parse(`[${limits.allowedValues}]`) as JsonValue[];
      } catch {
        problems[`${at}.allowedValues`] = 'expected JSON values separated by commas, like 1, 2 or "a", "b"';
      }
    if (limits.pattern !== "") read.pattern = limits.pattern;
    if (Object.keys(read).length > 0) parameters[name] = read;
  }
  const constraint: JsonObject = { allowed: fields.allowed, parameters };
  const max = number(fields.maxInstances, "constraint.maxInstances");
  if (max !== undefined && max > 0) constraint.maxInstances = max;
  return { constraint, problems };
}

/** A constraint in a few words, for the list. */
export function summary(constraint: JsonObject | undefined): string {
  if (constraint === undefined) return "no constraint";
  const parts: string[] = [];
  for (const [name, limits] of Object.entries((constraint.parameters ?? {}) as Record<string, JsonObject>)) {
    const said = limitsText({
      minimum: limits.minimum,
      maximum: limits.maximum,
      values: limits.allowedValues,
      pattern: limits.pattern,
    });
    parts.push(`${name} ${said.join(", ")}`);
  }
  return parts.length === 0 ? "no parameter limits" : parts.join("; ");
}
