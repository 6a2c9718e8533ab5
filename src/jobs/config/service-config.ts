import { dirname, isAbsolute, resolve } from "node:path";
import { type Problem, StackwrightInputError } from "../../core/errors";
import { isPlainObject } from "../../core/package-schema";
import { stackOptionProblems } from "../../core/stack-options";
import { parseYaml } from "../../core/yaml";
import { readInputFile } from "../../io/input-files";

/**
 * The job service's configuration: which workloads it can deploy, onto which stacks, with which
 * secrets. Secret values are never written in this file: each is a reference to an environment
 * variable or a file, read when a job runs and handed to the engine through its environment.
 */
export interface ServiceConfig {
  /** Where the service keeps its database, generated workspaces, token and default backend. */
  readonly dataDir: string;
  /** A PostgreSQL URL; absent: SQLite at `<dataDir>/jobs.db`. */
  readonly databaseUrl?: string;
  /** Jobs running at once in this process. */
  readonly concurrency: number;
  readonly defaultTimeoutMs: number;
  /** How long a canceled or timed-out job may take to stop after the interrupt before it is killed. */
  readonly cancelGraceMs: number;
  /**
   * How long a running job's claim lasts without a heartbeat: after a worker dies, its jobs are
   * resolved this long after its last beat (workers beat every third of it).
   */
  readonly leaseMs: number;
  /** How long a job waits, trying again, for a stack that another update holds. */
  readonly lockWaitMs: number;
  readonly api: ApiLimits;
  readonly workloads: ReadonlyMap<string, Workload>;
  readonly stacks: ReadonlyMap<string, StackConfig>;
}

/** What one client may take of the API server: see connection-guard.ts. */
export interface ApiLimits {
  /** Open connections at most; more are closed on arrival. */
  readonly maxConnections: number;
  /** How long a client has to send a request's headers, and then its body. */
  readonly headersTimeoutMs: number;
  /** How long a connection may stay open with no request in progress. */
  readonly idleTimeoutMs: number;
}

export type SecretSource = { readonly fromEnv: string } | { readonly fromFile: string };

export type Workload =
  | { readonly name: string; readonly kind: "project"; readonly dir: string }
  | {
      readonly name: string;
      readonly kind: "component";
      /** Path of the component's Pulumi package schema. */
      readonly schema: string;
      readonly token?: string;
      readonly spec: Record<string, unknown>;
    };

export interface StackConfig {
  /** `org/project/stack`. */
  readonly name: string;
  readonly org: string;
  readonly project: string;
  readonly stack: string;
  readonly workload: string;
  readonly backend: string;
  readonly passphrase: SecretSource;
  /** Environment variable name → where its secret value comes from. */
  readonly credentials: Readonly<Record<string, SecretSource>>;
  readonly config: Readonly<Record<string, string>>;
  readonly secretConfig: Readonly<Record<string, SecretSource>>;
  /** Directories searched first for plugins and tools (prepended to the engine's PATH). */
  readonly pluginPaths: readonly string[];
  readonly timeoutMs?: number;
}

export const DEFAULTS = {
  concurrency: 4,
  defaultTimeoutMs: 10 * 60_000,
  cancelGraceMs: 10_000,
  leaseMs: 30_000,
  // An update of a real stack takes minutes; a job should outwait one, not give up after seconds.
  lockWaitMs: 5 * 60_000,
  api: { maxConnections: 512, headersTimeoutMs: 10_000, idleTimeoutMs: 60_000 },
} as const;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TOP_LEVEL_KEYS = new Set([
  "dataDir",
  "database",
  "concurrency",
  "defaultTimeoutSeconds",
  "cancelGraceSeconds",
  "leaseSeconds",
  "lockWaitSeconds",
  "api",
  "workloads",
  "stacks",
]);
const API_KEYS = new Set(["maxConnections", "headersTimeoutSeconds", "idleTimeoutSeconds"]);
const STACK_KEYS = new Set([
  "workload",
  "backend",
  "passphrase",
  "credentials",
  "config",
  "secretConfig",
  "pluginPaths",
  "timeoutSeconds",
]);

/** Reads a configuration file (YAML or JSON); relative paths in it are relative to the file. */
export function loadServiceConfig(file: string, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const text = readInputFile(file, "--config");
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw StackwrightInputError.single(file, `not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  return parseServiceConfig(raw, dirname(resolve(file)), env);
}

/** Checks a configuration value; reports every problem at once, each naming its field. */
export function parseServiceConfig(
  raw: unknown,
  baseDir: string,
  env: NodeJS.ProcessEnv = process.env,
): ServiceConfig {
  const problems: Problem[] = [];
  const fail = (at: string, message: string) => {
    problems.push({ at, message });
  };
  const path = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  if (!isPlainObject(raw))
    throw StackwrightInputError.single("config", "expected a mapping at the top level");
  for (const key of Object.keys(raw)) if (!TOP_LEVEL_KEYS.has(key)) fail(key, "unknown field");

  const dataDir = path(optionalString(raw, "dataDir", fail) ?? env.STACKWRIGHT_DATA_DIR ?? ".stackwright");
  const databaseUrl = optionalString(raw, "database", fail) ?? env.STACKWRIGHT_DATABASE_URL;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl))
    fail("database", "expected a postgres:// or postgresql:// URL (leave it out for SQLite)");
  const concurrency = positiveNumber(raw, "concurrency", fail) ?? DEFAULTS.concurrency;
  const timeoutSeconds = positiveNumber(raw, "defaultTimeoutSeconds", fail);
  const graceSeconds = positiveNumber(raw, "cancelGraceSeconds", fail);
  const leaseSeconds = positiveNumber(raw, "leaseSeconds", fail);
  const lockWaitSeconds = positiveNumber(raw, "lockWaitSeconds", fail);
  const api = parseApiLimits(raw.api, fail);

  const workloads = new Map<string, Workload>();
  const rawWorkloads = raw.workloads ?? {};
  if (!isPlainObject(rawWorkloads)) fail("workloads", "expected a mapping of workload name to workload");
  else
    for (const [name, w] of Object.entries(rawWorkloads)) {
      const workload = parseWorkload(name, w, `workloads.${name}`, path, fail);
      if (workload) workloads.set(name, workload);
    }

  const stacks = new Map<string, StackConfig>();
  const rawStacks = raw.stacks ?? {};
  if (!isPlainObject(rawStacks)) fail("stacks", "expected a mapping of org/project/stack to stack settings");
  else
    for (const [name, s] of Object.entries(rawStacks)) {
      const stack = parseStack(name, s, workloads, dataDir, path, fail);
      if (stack) stacks.set(name, stack);
    }
  if (problems.length > 0) throw new StackwrightInputError(problems);
  return {
    dataDir,
    ...(databaseUrl !== undefined && { databaseUrl }),
    concurrency,
    defaultTimeoutMs: timeoutSeconds === undefined ? DEFAULTS.defaultTimeoutMs : timeoutSeconds * 1000,
    cancelGraceMs: graceSeconds === undefined ? DEFAULTS.cancelGraceMs : graceSeconds * 1000,
    leaseMs: leaseSeconds === undefined ? DEFAULTS.leaseMs : leaseSeconds * 1000,
    lockWaitMs: lockWaitSeconds === undefined ? DEFAULTS.lockWaitMs : lockWaitSeconds * 1000,
    api,
    workloads,
    stacks,
  };
}

type Fail = (at: string, message: string) => void;

function parseApiLimits(raw: unknown, fail: Fail): ApiLimits {
  if (raw === undefined) return DEFAULTS.api;
  if (!isPlainObject(raw)) {
    fail("api", "expected a mapping with maxConnections, headersTimeoutSeconds or idleTimeoutSeconds");
    return DEFAULTS.api;
  }
  for (const key of Object.keys(raw)) if (!API_KEYS.has(key)) fail(`api.${key}`, "unknown field");
  const maxConnections = positiveNumber(raw, "maxConnections", fail, "api");
  if (maxConnections !== undefined && !Number.isInteger(maxConnections))
    fail("api.maxConnections", "expected a whole number");
  const headersSeconds = positiveNumber(raw, "headersTimeoutSeconds", fail, "api");
  const idleSeconds = positiveNumber(raw, "idleTimeoutSeconds", fail, "api");
  return {
    maxConnections: maxConnections ?? DEFAULTS.api.maxConnections,
    headersTimeoutMs: headersSeconds === undefined ? DEFAULTS.api.headersTimeoutMs : headersSeconds * 1000,
    idleTimeoutMs: idleSeconds === undefined ? DEFAULTS.api.idleTimeoutMs : idleSeconds * 1000,
  };
}

function parseWorkload(
  name: string,
  raw: unknown,
  at: string,
  path: (p: string) => string,
  fail: Fail,
): Workload | undefined {
  if (!isPlainObject(raw) || (raw.project === undefined) === (raw.component === undefined)) {
    fail(at, "expected exactly one of 'project' (a Pulumi project directory) or 'component'");
    return undefined;
  }
  if (raw.project !== undefined) {
    if (typeof raw.project !== "string" || raw.project === "") {
      fail(`${at}.project`, "expected the path of a Pulumi project directory");
      return undefined;
    }
    return { name, kind: "project", dir: path(raw.project) };
  }
  const c = raw.component;
  if (!isPlainObject(c)) {
    fail(`${at}.component`, "expected a mapping with schema, token and spec");
    return undefined;
  }
  for (const key of Object.keys(c))
    if (!["schema", "token", "spec"].includes(key)) fail(`${at}.component.${key}`, "unknown field");
  if (typeof c.schema !== "string" || c.schema === "")
    fail(`${at}.component.schema`, "expected the path of the component's Pulumi package schema");
  if (c.token !== undefined && typeof c.token !== "string")
    fail(`${at}.component.token`, "expected a type token such as acme:index:Database");
  if (!isPlainObject(c.spec)) fail(`${at}.component.spec`, "expected a mapping: the component's inputs");
  if (typeof c.schema !== "string" || !isPlainObject(c.spec)) return undefined;
  return {
    name,
    kind: "component",
    schema: path(c.schema),
    ...(typeof c.token === "string" && { token: c.token }),
    spec: c.spec,
  };
}

function parseStack(
  name: string,
  raw: unknown,
  workloads: ReadonlyMap<string, Workload>,
  dataDir: string,
  path: (p: string) => string,
  fail: Fail,
): StackConfig | undefined {
  const at = `stacks.${name}`;
  if (!isPlainObject(raw)) {
    fail(at, "expected a mapping with at least 'workload' and 'passphrase'");
    return undefined;
  }
  for (const key of Object.keys(raw)) if (!STACK_KEYS.has(key)) fail(`${at}.${key}`, "unknown field");
  const workload = typeof raw.workload === "string" ? raw.workload : undefined;
  if (workload === undefined || !workloads.has(workload))
    fail(`${at}.workload`, `expected the name of a workload under 'workloads'`);
  const backend = optionalString(raw, "backend", fail, at) ?? `file://${resolve(dataDir, "state")}`;
  const fields = { backend: `${at}.backend`, stackName: at };
  for (const p of stackOptionProblems({ backend, stackName: name }, fields, { fullyQualified: true }))
    fail(p.at, p.message);
  const passphrase = secretSource(raw.passphrase, `${at}.passphrase`, path, fail);
  const credentials = secretSources(raw.credentials, `${at}.credentials`, path, fail, true);
  const secretConfig = secretSources(raw.secretConfig, `${at}.secretConfig`, path, fail, false);
  const config: Record<string, string> = {};
  if (raw.config !== undefined) {
    if (!isPlainObject(raw.config)) fail(`${at}.config`, "expected a mapping of config key to value");
    else
      for (const [k, v] of Object.entries(raw.config)) {
        if (typeof v === "object" && v !== null)
          fail(`${at}.config.${k}`, "expected a string, number or boolean");
        else config[k] = String(v);
      }
  }
  const pluginPaths: string[] = [];
  if (raw.pluginPaths !== undefined) {
    if (!Array.isArray(raw.pluginPaths) || raw.pluginPaths.some((p) => typeof p !== "string"))
      fail(`${at}.pluginPaths`, "expected a list of directories");
    else for (const p of raw.pluginPaths as string[]) pluginPaths.push(path(p));
  }
  const timeoutSeconds = positiveNumber(raw, "timeoutSeconds", fail, at);
  if (workload === undefined || passphrase === undefined) return undefined;
  const [org, project, stack] = name.split("/") as [string, string, string];
  return {
    name,
    org,
    project,
    stack,
    workload,
    backend,
    passphrase,
    credentials,
    config,
    secretConfig,
    pluginPaths,
    ...(timeoutSeconds !== undefined && { timeoutMs: timeoutSeconds * 1000 }),
  };
}

function secretSource(
  raw: unknown,
  at: string,
  path: (p: string) => string,
  fail: Fail,
): SecretSource | undefined {
  if (isPlainObject(raw) && Object.keys(raw).length === 1) {
    if (typeof raw.fromEnv === "string" && ENV_NAME.test(raw.fromEnv)) return { fromEnv: raw.fromEnv };
    if (typeof raw.fromFile === "string" && raw.fromFile !== "") return { fromFile: path(raw.fromFile) };
  }
  fail(at, "expected {fromEnv: VARIABLE} or {fromFile: path}; secret values are never written in this file");
  return undefined;
}

function secretSources(
  raw: unknown,
  at: string,
  path: (p: string) => string,
  fail: Fail,
  keysAreEnvNames: boolean,
): Record<string, SecretSource> {
  const out: Record<string, SecretSource> = {};
  if (raw === undefined) return out;
  if (!isPlainObject(raw)) {
    fail(at, "expected a mapping");
    return out;
  }
  for (const [key, value] of Object.entries(raw)) {
    if (keysAreEnvNames && !ENV_NAME.test(key)) fail(`${at}.${key}`, "expected an environment variable name");
    const source = secretSource(value, `${at}.${key}`, path, fail);
    if (source) out[key] = source;
  }
  return out;
}

function optionalString(
  raw: Record<string, unknown>,
  key: string,
  fail: Fail,
  at?: string,
): string | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") {
    fail(at ? `${at}.${key}` : key, "expected a non-empty string");
    return undefined;
  }
  return value;
}

function positiveNumber(
  raw: Record<string, unknown>,
  key: string,
  fail: Fail,
  at?: string,
): number | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    fail(at ? `${at}.${key}` : key, "expected a positive number");
    return undefined;
  }
  return value;
}
