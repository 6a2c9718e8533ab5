import { readFileSync } from "node:fs";
import type { SecretSource, StackConfig } from "./service-config";

/**
 * The environment one stack's engine runs with: a minimal base taken from the service's own
 * environment (never another stack's secrets, never the API token), plus this stack's
 * passphrase and credentials. Secret values are read only here, when a job starts, and are
 * handed to the engine through its environment, never its command line.
 */
export interface StackEnvironment {
  readonly env: NodeJS.ProcessEnv;
  /** Secret configuration values, set on the stack from standard input before the operation. */
  readonly secretConfig: Readonly<Record<string, string>>;
  /** Every secret value of this stack, for redaction. */
  readonly secretValues: readonly string[];
}

/** A secret the job needs is not where the configuration says. */
export class MissingSecretError extends Error {
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = "MissingSecretError";
  }
}

const BASE_NAMES = new Set(["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "TMPDIR", "TZ", "NO_COLOR"]);
const BASE_PREFIXES = ["LC_", "XDG_", "GO", "PULUMI_"];
/** Never inherited: each stack brings its own. */
const NEVER_INHERITED = new Set([
  "PULUMI_CONFIG_PASSPHRASE",
  "PULUMI_CONFIG_PASSPHRASE_FILE",
  "PULUMI_ACCESS_TOKEN",
  "PULUMI_BACKEND_URL",
  "PULUMI_CONFIG",
]);

export function baseEngineEnvironment(source: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || NEVER_INHERITED.has(name)) continue;
    if (BASE_NAMES.has(name) || BASE_PREFIXES.some((p) => name.startsWith(p))) env[name] = value;
  }
  return {
    ...env,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    NO_COLOR: "1",
  };
}

export function stackEnvironment(
  stack: StackConfig,
  source: NodeJS.ProcessEnv = process.env,
): StackEnvironment {
  const at = `stacks.${stack.name}`;
  const secretValues: string[] = [];
  const read = (s: SecretSource, field: string): string => {
    const value = readSecret(s, field, source);
    secretValues.push(value);
    return value;
  };
  const env: NodeJS.ProcessEnv = {
    ...baseEngineEnvironment(source),
    PULUMI_BACKEND_URL: stack.backend,
  };
  if (stack.pluginPaths.length > 0) env.PATH = [...stack.pluginPaths, env.PATH ?? ""].join(":");
  if ("fromFile" in stack.passphrase) {
    read(stack.passphrase, `${at}.passphrase`);
    env.PULUMI_CONFIG_PASSPHRASE_FILE = stack.passphrase.fromFile;
  } else env.PULUMI_CONFIG_PASSPHRASE = read(stack.passphrase, `${at}.passphrase`);
  for (const [name, s] of Object.entries(stack.credentials)) env[name] = read(s, `${at}.credentials.${name}`);
  const secretConfig: Record<string, string> = {};
  for (const [key, s] of Object.entries(stack.secretConfig))
    secretConfig[key] = read(s, `${at}.secretConfig.${key}`);
  return { env, secretConfig, secretValues };
}

function readSecret(source: SecretSource, field: string, env: NodeJS.ProcessEnv): string {
  if ("fromEnv" in source) {
    const value = env[source.fromEnv];
    if (value === undefined || value === "")
      throw new MissingSecretError(
        field,
        `environment variable ${source.fromEnv} is not set in the service's environment`,
      );
    return value;
  }
  try {
    // One trailing newline is the file's, not the secret's (as `pulumi` treats passphrase files).
    return readFileSync(source.fromFile, "utf8").replace(/\r?\n$/, "");
  } catch (error) {
    throw new MissingSecretError(
      field,
      `cannot read ${source.fromFile}: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
    );
  }
}
