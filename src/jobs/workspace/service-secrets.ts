import { readApiTokens } from "../config/api-tokens";
import { readMasterKeyTexts } from "../config/master-keys";
import type { ServiceConfig } from "../config/service-config";
import { readableSecretValues } from "./stack-environment";

/**
 * Every secret the service holds: each stack's passphrase, credentials and secret config, the
 * API token, the master keys and the database's password. A job's output is redacted against all of them, not
 * only its own stack's: a program runs as the service's user and can read, and print, what it
 * was never given — another stack's passphrase file, the token file. Read when a job starts, so
 * a rotated secret is known at once.
 */
export function serviceSecretValues(config: ServiceConfig, env: NodeJS.ProcessEnv): string[] {
  const values = [...readApiTokens(config.dataDir, env), ...readMasterKeyTexts(config.dataDir, env)];
  for (const stack of config.stacks.values()) values.push(...readableSecretValues(stack, env));
  const password = databasePassword(config.databaseUrl);
  if (password !== undefined) values.push(password);
  return values;
}

function databasePassword(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password === "" ? undefined : password;
  } catch {
    return undefined;
  }
}
