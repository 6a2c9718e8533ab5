import { readFileSync } from "node:fs";
import type { SecretSource, StackConfig } from "../config/service-config";

/**
 * The environment one stack's engine runs with: the few variables of the service's own
 * environment that an engine needs (an allow-list: never another stack's secrets, never the API
 * token), plus this stack's passphrase and credentials. Secret values are read only here, when a
 * job starts, and are handed to the engine through its environment, never its command line.
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

/**
 * What every engine takes from the service's environment: where its tools, home, plugins and
 * temporary files are, the locale, a proxy and CA certificates to reach a cloud, and the Python
 * the Python language host runs. Anything else — a prefix such as `PULUMI_` or `GO` included —
 * could be another stack's credential (`PULUMI_ACCESS_TOKEN_OTHER`, `GOOGLE_CREDENTIALS_OTHER`).
 */
export const INHERITED_VARIABLES = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "LANG",
  "LC_ALL",
  "LC_CTYPE",
  "TZ",
  "TMPDIR",
  "HTTPS_PROXY",
  "HTTP_PROXY",
  "NO_PROXY",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  // Where a machine behind an inspecting proxy keeps the CA that Node and Python clients must trust.
  "NODE_EXTRA_CA_CERTS",
  "REQUESTS_CA_BUNDLE",
  "CURL_CA_BUNDLE",
  "PULUMI_HOME",
  "PULUMI_PYTHON_CMD",
] as const;

/** A Go program is compiled by the language host: it needs the toolchain's and the build caches' places. */
export const GO_VARIABLES = [
  "GOROOT",
  "GOPATH",
  "GOCACHE",
  "GOMODCACHE",
  "GOFLAGS",
  "GOPROXY",
  "GOPRIVATE",
  "GONOSUMDB",
  "GOTOOLCHAIN",
] as const;

/** The service's own settings for every engine: no update check, no plugin downloads, plain output. */
const ISOLATION: NodeJS.ProcessEnv = {
  PULUMI_SKIP_UPDATE_CHECK: "true",
  PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
  NO_COLOR: "1",
};

/** `runtime`: the program's Pulumi runtime (`yaml`, `nodejs`, `python`, `go`…), which decides the extra variables. */
export function baseEngineEnvironment(
  source: NodeJS.ProcessEnv = process.env,
  runtime = "yaml",
): NodeJS.ProcessEnv {
  const names: readonly string[] =
    runtime === "go" ? [...INHERITED_VARIABLES, ...GO_VARIABLES] : INHERITED_VARIABLES;
  const env: NodeJS.ProcessEnv = {};
  for (const name of names) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...ISOLATION };
}

/** The package managers' own settings (registries, caches, certificates): npm's and pip's, by prefix. */
const PACKAGE_MANAGER_PREFIXES = ["npm_config_", "NPM_CONFIG_", "PIP_"];

/**
 * The environment npm and pip install templates' dependencies with: the engine's inherited
 * variables and the package managers' own settings. Nothing of any stack: installs run for a
 * template version, shared by every tenant that deploys it.
 */
export function packageManagerEnvironment(source: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = baseEngineEnvironment(source, "nodejs");
  for (const [name, value] of Object.entries(source))
    if (value !== undefined && PACKAGE_MANAGER_PREFIXES.some((prefix) => name.startsWith(prefix)))
      env[name] = value;
  return env;
}

export function stackEnvironment(
  stack: StackConfig,
  source: NodeJS.ProcessEnv = process.env,
  runtime = "yaml",
): StackEnvironment {
  const at = `stacks.${stack.name}`;
  const secretValues: string[] = [];
  const read = (s: SecretSource, field: string): string => {
    const value = readSecret(s, field, source);
    secretValues.push(value);
    return value;
  };
  const env: NodeJS.ProcessEnv = {
    ...baseEngineEnvironment(source, runtime),
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

/**
 * Every secret value of `stack` that can be read now, for redacting other stacks' jobs: a missing
 * one is that stack's jobs' problem, not a reason to fail this one.
 */
export function readableSecretValues(stack: StackConfig, source: NodeJS.ProcessEnv): string[] {
  const values: string[] = [];
  for (const s of [
    stack.passphrase,
    ...Object.values(stack.credentials),
    ...Object.values(stack.secretConfig),
  ])
    try {
      values.push(readSecret(s, "", source));
    } catch {
      // Unreadable: nothing to redact.
    }
  return values;
}

/** A secret's value from its source; a missing one is a MissingSecretError naming `field`. */
export function readSecret(source: SecretSource, field: string, env: NodeJS.ProcessEnv): string {
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
