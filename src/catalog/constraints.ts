import type { Problem } from "../core/errors";
import { ownValue } from "../core/own";
import { isPlainObject } from "../core/package-schema";
import { checkPattern, type ParameterProperty, type ParameterSchema } from "./parameter-schema";

/** How one tenant may fill one parameter: narrower than the template, never wider. */
export interface ParameterConstraint {
  readonly minimum?: number;
  readonly maximum?: number;
  readonly allowedValues?: readonly unknown[];
  readonly pattern?: string;
}

/** What one tenant may do with one template. */
export interface TemplateConstraint {
  /** False: the tenant cannot deploy the template at all. */
  readonly allowed: boolean;
  /** The most live stacks (not destroyed) the tenant may have of the template. */
  readonly maxInstances?: number;
  readonly parameters: Readonly<Record<string, ParameterConstraint>>;
}

export const UNCONSTRAINED: TemplateConstraint = { allowed: true, parameters: {} };

const CONSTRAINT_FIELDS = ["allowed", "maxInstances", "parameters"];
const PARAMETER_FIELDS = ["minimum", "maximum", "allowedValues", "pattern"];
const NUMERIC = new Set(["integer", "number"]);

/**
 * Reads a constraint for a template whose parameters are `parameters`: every field checked,
 * every problem reported at once with its path under `at`. Whether allowed values satisfy the
 * template's own schema is checked by the validator (parameter-validator.ts).
 */
export function readConstraint(
  value: unknown,
  parameters: ParameterSchema,
  at = "constraint",
):
  | { constraint: TemplateConstraint; problems: readonly [] }
  | { constraint?: undefined; problems: Problem[] } {
  if (!isPlainObject(value)) return { problems: [{ at, message: "expected an object" }] };
  const problems: Problem[] = [];
  for (const key of Object.keys(value))
    if (!CONSTRAINT_FIELDS.includes(key))
      problems.push({
        at: `${at}.${key}`,
        message: `is not a field of a constraint; expected one of: ${CONSTRAINT_FIELDS.join(", ")}`,
      });
  const allowed = value.allowed ?? true;
  if (typeof allowed !== "boolean") problems.push({ at: `${at}.allowed`, message: "expected true or false" });
  const maxInstances = value.maxInstances;
  if (maxInstances !== undefined && !(Number.isSafeInteger(maxInstances) && (maxInstances as number) >= 0))
    problems.push({ at: `${at}.maxInstances`, message: "expected a whole number, 0 or more" });
  const given = value.parameters ?? {};
  const read: Record<string, ParameterConstraint> = {};
  if (!isPlainObject(given))
    problems.push({ at: `${at}.parameters`, message: "expected an object of parameter names" });
  else
    for (const [name, limits] of Object.entries(given)) {
      const path = `${at}.parameters.${name}`;
      const property = ownValue(parameters.properties, name);
      if (property === undefined) {
        const names = Object.keys(parameters.properties).join(", ") || "(none)";
        problems.push({ at: path, message: `is not a parameter of the template; expected one of: ${names}` });
        continue;
      }
      const constraint = readParameterConstraint(limits, property, path, problems);
      if (constraint !== undefined) read[name] = constraint;
    }
  if (problems.length > 0) return { problems };
  return {
    constraint: {
      allowed: allowed as boolean,
      ...(maxInstances !== undefined && { maxInstances: maxInstances as number }),
      parameters: read,
    },
    problems: [],
  };
}

function readParameterConstraint(
  limits: unknown,
  property: ParameterProperty,
  at: string,
  problems: Problem[],
): ParameterConstraint | undefined {
  if (!isPlainObject(limits)) {
    problems.push({ at, message: "expected an object with minimum, maximum, allowedValues or pattern" });
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(limits))
    if (!PARAMETER_FIELDS.includes(key))
      problems.push({
        at: `${at}.${key}`,
        message: `is not a parameter limit; expected one of: ${PARAMETER_FIELDS.join(", ")}`,
      });
  const { minimum, maximum, allowedValues, pattern } = limits;
  for (const [key, bound] of [
    ["minimum", minimum],
    ["maximum", maximum],
  ] as const) {
    if (bound === undefined) continue;
    if (!NUMERIC.has(property.type))
      problems.push({
        at: `${at}.${key}`,
        message: `applies to number and integer parameters; this one is ${property.type}`,
      });
    else if (typeof bound !== "number" || !Number.isFinite(bound))
      problems.push({ at: `${at}.${key}`, message: "expected a number" });
  }
  if (typeof minimum === "number" && typeof maximum === "number" && minimum > maximum)
    problems.push({ at: `${at}.minimum`, message: `is greater than maximum (${maximum})` });
  if (allowedValues !== undefined && (!Array.isArray(allowedValues) || allowedValues.length === 0))
    problems.push({ at: `${at}.allowedValues`, message: "expected a non-empty list of values" });
  if (pattern !== undefined) {
    if (property.type !== "string")
      problems.push({
        at: `${at}.pattern`,
        message: `applies to string parameters; this one is ${property.type}`,
      });
    else checkPattern(pattern, `${at}.pattern`, problems);
  }
  if (problems.length > before) return undefined;
  return {
    ...(minimum !== undefined && { minimum: minimum as number }),
    ...(maximum !== undefined && { maximum: maximum as number }),
    ...(allowedValues !== undefined && { allowedValues: allowedValues as unknown[] }),
    ...(pattern !== undefined && { pattern: pattern as string }),
  };
}
