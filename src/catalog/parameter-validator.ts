import { Ajv, type ErrorObject } from "ajv";
import type { Problem } from "../core/errors";
import type { ParameterSchema } from "./parameter-schema";
import { compilePattern } from "./safe-pattern";

/** Checks one set of parameters; returns them with the schema's defaults filled in. */
export type ParameterValidator = (values: unknown) => {
  readonly values: Record<string, unknown>;
  readonly problems: readonly Problem[];
};

/**
 * One Ajv for the process: compiling is what costs, so the service keeps the compiled validator
 * per schema (see the callers). Patterns run on RE2 (safe-pattern.ts), never on backtracking.
 */
const ajv = new Ajv({
  allErrors: true,
  strict: true,
  useDefaults: true,
  code: {
    // `code` names the engine in standalone code, which Stackwright never generates.
    regExp: Object.assign((pattern: string) => compilePattern(pattern), { code: "re2js" }),
  },
});

/**
 * Compiles `schema` (a template's, or a tenant's effective one) into a validator whose problems
 * name each offending parameter by path under `at`, all at once, never quoting a value.
 */
export function compileParameterValidator(schema: ParameterSchema, at = "parameters"): ParameterValidator {
  const validate = ajv.compile(schema);
  // Ajv keeps every schema it compiled; the caller keeps the validator, so Ajv need not.
  ajv.removeSchema(schema);
  const names = Object.keys(schema.properties).join(", ") || "(none)";
  return (input) => {
    if (input === null || typeof input !== "object" || Array.isArray(input))
      return { values: {}, problems: [{ at, message: "expected an object of parameters" }] };
    // Defaults are filled into a copy: the caller's object stays as it was sent.
    const values = structuredClone(input) as Record<string, unknown>;
    if (validate(values)) return { values, problems: [] };
    return { values, problems: toProblems(validate.errors ?? [], at, names) };
  };
}

function toProblems(errors: readonly ErrorObject[], at: string, names: string): Problem[] {
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const error of errors) {
    const problem = toProblem(error, at, names);
    const key = `${problem.at}\u0000${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

function toProblem(error: ErrorObject, at: string, names: string): Problem {
  const path = at + pathOf(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return { at: `${path}.${String(params.missingProperty)}`, message: "is required" };
    case "additionalProperties":
      return {
        at: `${path}.${String(params.additionalProperty)}`,
        message:
          path === at
            ? `is not a parameter of this template; expected one of: ${names}`
            : "is not allowed here",
      };
    case "type":
      return { at: path, message: `expected ${String(params.type)}` };
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return { at: path, message: `must be ${String(params.comparison)} ${String(params.limit)}` };
    case "enum":
      return {
        at: path,
        message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
      };
    case "pattern":
      return { at: path, message: `must match the pattern ${String(params.pattern)}` };
    default:
      return { at: path, message: error.message ?? `fails ${error.keyword}` };
  }
}

/** `/tags/0/name` → `.tags[0].name`: the path as the user wrote the value. */
function pathOf(instancePath: string): string {
  if (instancePath === "") return "";
  return instancePath
    .slice(1)
    .split("/")
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"))
    .map((segment) => (/^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`))
    .join("");
}

/** Compiled validators by key: a tenant's effective schema is validated against again and again. */
const compiled = new Map<string, ParameterValidator>();
const MAX_CACHED = 1000;

/**
 * The validator of the schema `key` names, compiled from `schema()` the first time and kept for
 * the next request; past MAX_CACHED the least recently used goes. The key must change whenever
 * the schema would (a published version's content hash and the constraint's text do): building
 * and hashing a large schema per request would cost more than validating against it.
 */
export function parameterValidatorFor(key: string, schema: () => ParameterSchema): ParameterValidator {
  let validator = compiled.get(key);
  if (validator === undefined) {
    validator = compileParameterValidator(schema());
    if (compiled.size >= MAX_CACHED) compiled.delete(compiled.keys().next().value as string);
  } else compiled.delete(key);
  compiled.set(key, validator);
  return validator;
}
