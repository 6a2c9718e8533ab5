import type { Problem } from "./errors";
import type { ComponentInputs, JsonSchema } from "./input-schema";
import { ownValue } from "./own";

export type SpecValidator = (spec: unknown) => Problem[];

/**
 * Validates request specs against a component's derived schema. Problems name the field path
 * under `spec` and say what was expected, all of them at once; a secret input found in a request
 * is reported without its value.
 *
 * Written here rather than with a general JSON Schema library because the schemas are only ever
 * Stackwright's own structural subset (type, enum, properties, required, items,
 * additionalProperties, any-value), and a stage is a short-lived process: loading and compiling a
 * general validator cost more than the whole stage may take (see bench/stage.bench.ts). The tests
 * cross-check these verdicts with Ajv on the same schemas.
 */
export function createSpecValidator(inputs: ComponentInputs): SpecValidator {
  const secretPaths = new Map(inputs.secretInputs.map((s) => [s.path.join("."), s.configKey]));
  return (spec: unknown): Problem[] => {
    const problems: Problem[] = [];
    check(inputs.spec, spec, "spec", problems, secretPaths);
    return problems;
  };
}

function check(
  schema: JsonSchema,
  value: unknown,
  at: string,
  problems: Problem[],
  secretPaths: ReadonlyMap<string, string>,
): void {
  if (schema.type === undefined) return; // any value
  if (!hasType(schema.type, value)) {
    problems.push({ at, message: `expected ${schema.type}, got ${describe(value)}` });
    return;
  }
  if (schema.enum !== undefined && !schema.enum.some((allowed) => allowed === value)) {
    const allowed = schema.enum.map((v) => JSON.stringify(v)).join(", ");
    problems.push({ at, message: `expected one of ${allowed}, got ${describe(value)}` });
    return;
  }
  if (schema.type === "array" && schema.items !== undefined) {
    const items = schema.items;
    (value as unknown[]).forEach((item, i) => {
      check(items, item, `${at}[${i}]`, problems, secretPaths);
    });
    return;
  }
  if (schema.type !== "object") return;
  const object = value as Record<string, unknown>;
  if (schema.properties !== undefined) {
    for (const name of schema.required ?? []) {
      if (ownValue(object, name) === undefined)
        problems.push({ at: `${at}.${name}`, message: "is required" });
    }
    for (const [name, field] of Object.entries(object)) {
      const path = `${at}.${name}`;
      const property = ownValue(schema.properties, name);
      if (property !== undefined) check(property, field, path, problems, secretPaths);
      else if (secretPaths.has(path.slice("spec.".length))) {
        problems.push({
          at: path,
          message: `is a secret input and must not be in the request; put it in the stack's Secret under key '${secretPaths.get(path.slice("spec.".length))}' instead`,
        });
      } else if (!schema["x-kubernetes-preserve-unknown-fields"]) {
        const known = Object.keys(schema.properties).join(", ") || "(none)";
        problems.push({ at: path, message: `is not a field of ${at}; expected one of: ${known}` });
      }
    }
  } else if (schema.additionalProperties !== undefined) {
    const values = schema.additionalProperties;
    for (const [name, field] of Object.entries(object)) {
      check(values, field, `${at}.${name}`, problems, secretPaths);
    }
  }
}

function hasType(type: NonNullable<JsonSchema["type"]>, value: unknown): boolean {
  switch (type) {
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    default:
      return typeof value === type;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "string") {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (typeof value === "object") return "object";
  return `${typeof value} ${String(value)}`;
}
