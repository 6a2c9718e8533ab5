import type { Problem } from "../core/errors";
import { type ExistingSecretKey, envVarNameProblem, secretKeyRefProblem } from "../core/stack-options";
import { type Env, nonEmpty } from "./stage-env";

/** The variables through which a workflow wires Secrets it already has into the Stack. */
export const ACCESS_TOKEN_SECRET_NAME = "PULUMI_STACK_ACCESS_TOKEN_SECRET_NAME";
export const ACCESS_TOKEN_SECRET_KEY = "PULUMI_STACK_ACCESS_TOKEN_SECRET_KEY";
export const ENV_FROM_SECRETS = "PULUMI_STACK_ENV_FROM_SECRETS";

/**
 * The Stack's `envRefs` to existing Secrets, from the Stack stage's environment:
 *   - PULUMI_STACK_ACCESS_TOKEN_SECRET_NAME and …_KEY, both or neither (kratix-cli's names): the
 *     Secret key holding the stack's PULUMI_ACCESS_TOKEN;
 *   - PULUMI_STACK_ENV_FROM_SECRETS: `VARIABLE=secret/key` entries separated by commas or new
 *     lines, for whatever else the backend needs (AWS_ACCESS_KEY_ID=aws-state/id, …).
 * Problems are added to `problems`, each naming its variable; the values are names, never secrets.
 */
export function readExistingSecretEnv(env: Env, problems: Problem[]): Record<string, ExistingSecretKey> {
  const refs: Record<string, ExistingSecretKey> = {};
  const name = nonEmpty(env[ACCESS_TOKEN_SECRET_NAME]);
  const key = nonEmpty(env[ACCESS_TOKEN_SECRET_KEY]);
  if ((name === undefined) !== (key === undefined)) {
    const missing = name === undefined ? ACCESS_TOKEN_SECRET_NAME : ACCESS_TOKEN_SECRET_KEY;
    problems.push({
      at: missing,
      message: `is required with ${missing === ACCESS_TOKEN_SECRET_NAME ? ACCESS_TOKEN_SECRET_KEY : ACCESS_TOKEN_SECRET_NAME}: set both (the Secret and its key holding PULUMI_ACCESS_TOKEN) or neither`,
    });
  } else if (name !== undefined && key !== undefined) {
    const ref = { secret: name, key };
    const problem = secretKeyRefProblem(ref);
    if (problem !== undefined) problems.push({ at: ACCESS_TOKEN_SECRET_NAME, message: problem });
    else refs.PULUMI_ACCESS_TOKEN = ref;
  }

  const entries = (nonEmpty(env[ENV_FROM_SECRETS]) ?? "")
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  for (const [index, entry] of entries.entries()) {
    const at = `${ENV_FROM_SECRETS}[${index}]`;
    const match = /^([^=]+)=([^/]+)\/(.+)$/.exec(entry);
    if (match === null) {
      problems.push({
        at,
        message: `expected VARIABLE=secret-name/key, e.g. AWS_ACCESS_KEY_ID=aws-state/id, got '${entry}'`,
      });
      continue;
    }
    const [, variable, secret, secretKey] = match as unknown as [string, string, string, string];
    const problem =
      envVarNameProblem(variable) ??
      secretKeyRefProblem({ secret, key: secretKey }) ??
      (Object.hasOwn(refs, variable)
        ? `'${variable}' is given twice${variable === "PULUMI_ACCESS_TOKEN" ? ` (also by ${ACCESS_TOKEN_SECRET_NAME})` : ""}`
        : undefined);
    if (problem !== undefined) problems.push({ at, message: problem });
    else refs[variable] = { secret, key: secretKey };
  }
  return refs;
}
