import type { Problem } from "../core/errors";
import { canonicalJson } from "./canonical-json";
import type { TemplateConstraint } from "./constraints";
import { effectiveParameterSchema } from "./effective-schema";
import type { ParameterSchema } from "./parameter-schema";
import { type ParameterValidator, parameterValidatorFor } from "./parameter-validator";

/** As much of a template version as checking a stack's parameters against it needs. */
export interface VersionParameters {
  /** The published version's content hash; null for a draft. */
  readonly contentHash: string | null;
  readonly parameters: ParameterSchema;
}

/**
 * The tenant's effective-schema validator for a version under a constraint, cached by both: a
 * published version by its content hash; a draft, whose schema changes with every save, by the
 * schema's own text.
 */
export function tenantParameterValidator(
  version: VersionParameters,
  constraint: TemplateConstraint,
): ParameterValidator {
  const schemaKey = version.contentHash ?? `draft:${canonicalJson(version.parameters)}`;
  return parameterValidatorFor(`${schemaKey}\u0000${JSON.stringify(constraint)}`, () =>
    effectiveParameterSchema(version.parameters, constraint),
  );
}

/**
 * A stack's parameters as it keeps them — the plain ones and its stored secret ones — checked
 * against `version` under the tenant's constraint: the plain ones with that version's defaults
 * filled in, or every problem, each naming its parameter.
 */
export function stackParametersUnder(
  version: VersionParameters,
  constraint: TemplateConstraint,
  plain: Readonly<Record<string, unknown>>,
  storedSecrets: ReadonlyMap<string, string>,
): { plain: Record<string, unknown>; problems: Problem[] } {
  return checkParameters(
    version.parameters,
    tenantParameterValidator(version, constraint),
    plain,
    {},
    storedSecrets,
  );
}

/**
 * Validates plain and secret parameters together with the tenant's effective schema's validator
 * (`schema` says which parameters are secret: writeOnly, in the template and so in any narrowing): a secret
 * parameter comes only in `secretParameters` (or was stored before), a plain one only in
 * `parameters`. Returns the plain ones with defaults filled in.
 */
export function checkParameters(
  schema: ParameterSchema,
  validate: ParameterValidator,
  plainInput: unknown,
  secretInput: Readonly<Record<string, string>>,
  stored: ReadonlyMap<string, string>,
): { plain: Record<string, unknown>; problems: Problem[] } {
  const problems: Problem[] = [];
  if (plainInput === null || typeof plainInput !== "object" || Array.isArray(plainInput))
    return { plain: {}, problems: [{ at: "parameters", message: "expected an object of parameters" }] };
  const secretNames = new Set(
    Object.entries(schema.properties)
      .filter(([, p]) => p.writeOnly === true)
      .map(([name]) => name),
  );
  const plain = plainInput as Record<string, unknown>;
  for (const name of Object.keys(plain))
    if (secretNames.has(name))
      problems.push({
        at: `parameters.${name}`,
        message: "is a secret parameter: send it in secretParameters",
      });
  for (const [name, value] of Object.entries(secretInput)) {
    if (!secretNames.has(name))
      problems.push({
        at: `secretParameters.${name}`,
        message: "is not a secret parameter of this template",
      });
    else if (typeof value !== "string")
      problems.push({ at: `secretParameters.${name}`, message: "expected text" });
  }
  const combined: Record<string, unknown> = { ...plain };
  for (const name of secretNames) {
    const value = secretInput[name] ?? stored.get(name);
    if (value !== undefined) combined[name] = value;
  }
  const { values, problems: invalid } = validate(combined);
  for (const problem of invalid) {
    const name = problem.at.split(/[.[]/)[1] ?? "";
    problems.push(
      secretNames.has(name)
        ? { ...problem, at: problem.at.replace(/^parameters/, "secretParameters") }
        : problem,
    );
  }
  for (const name of secretNames) delete values[name];
  return { plain: values, problems };
}
