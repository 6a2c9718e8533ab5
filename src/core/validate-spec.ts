import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import type { Problem } from "./errors";
import type { ComponentInputs, JsonSchema } from "./input-schema";

export type SpecValidator = (spec: unknown) => Problem[];

/**
 * Compiles a validator for request specs. Compiling is the expensive part: do it once per
 * component and call the returned function per request. Problems name the field path under
 * `spec` and say what was expected, all of them at once; secret inputs found in a request are
 * reported without their value.
 */
export function createSpecValidator(inputs: ComponentInputs): SpecValidator {
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
  ajv.addKeyword({ keyword: "x-kubernetes-preserve-unknown-fields" });
  const validate = ajv.compile(closeObjects(inputs.spec));
  const secretPaths = new Map(inputs.secretInputs.map((s) => [s.path.join("."), s.configKey]));

  return (spec: unknown): Problem[] => {
    const problems = secretValueProblems(spec, secretPaths);
    if (!validate(spec)) problems.push(...toProblems(validate, secretPaths));
    return problems;
  };
}

/**
 * A copy of a structural schema in which objects with declared properties reject unknown ones.
 * (A CRD may not say this — Kubernetes prunes instead — but a request with a misspelt field
 * deserves an error, not silence.)
 */
function closeObjects(schema: JsonSchema): object {
  const out: Record<string, unknown> = { ...schema };
  if (schema.properties !== undefined) {
    out.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([k, v]) => [k, closeObjects(v)]),
    );
    if (!schema["x-kubernetes-preserve-unknown-fields"]) out.additionalProperties = false;
  }
  if (schema.items !== undefined) out.items = closeObjects(schema.items);
  if (schema.additionalProperties !== undefined) {
    out.additionalProperties = closeObjects(schema.additionalProperties);
  }
  return out;
}

function secretValueProblems(spec: unknown, secretPaths: Map<string, string>): Problem[] {
  const problems: Problem[] = [];
  for (const [path, configKey] of secretPaths) {
    let node: unknown = spec;
    for (const segment of path.split(".")) {
      node = isRecord(node) ? node[segment] : undefined;
    }
    if (node !== undefined) {
      problems.push({
        at: `spec.${path}`,
        message: `is a secret input and must not be in the request; put it in the stack's Secret under key '${configKey}' instead`,
      });
    }
  }
  return problems;
}

function toProblems(validate: ValidateFunction, secretPaths: Map<string, string>): Problem[] {
  const problems: Problem[] = [];
  for (const error of validate.errors ?? []) {
    const problem = toProblem(error, secretPaths);
    if (problem !== undefined) problems.push(problem);
  }
  return problems;
}

function toProblem(error: ErrorObject, secretPaths: Map<string, string>): Problem | undefined {
  const at = fieldPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "type":
      return { at, message: `expected ${String(params.type)}, got ${describe(error.data)}` };
    case "required":
      return { at: `${at}.${String(params.missingProperty)}`, message: "is required" };
    case "additionalProperties": {
      const name = String(params.additionalProperty);
      const full = `${at}.${name}`;
      // A secret input already has its own problem from secretValueProblems.
      if (secretPaths.has(full.slice("spec.".length))) return undefined;
      const known = Object.keys((error.parentSchema as JsonSchema).properties ?? {});
      return {
        at: full,
        message: `is not a field of ${at}; expected one of: ${known.join(", ") || "(none)"}`,
      };
    }
    case "enum":
      return {
        at,
        message: `expected one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}, got ${describe(error.data)}`,
      };
    default:
      return { at, message: error.message ?? `fails '${error.keyword}'` };
  }
}

/** `/database/replicas/0` → `spec.database.replicas[0]` */
function fieldPath(instancePath: string): string {
  let out = "spec";
  for (const raw of instancePath.split("/").slice(1)) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    out += /^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`;
  }
  return out;
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
