import { dirname, isAbsolute, join, resolve } from "node:path";
import { type Problem, StackwrightInputError } from "../../core/errors";
import { isPlainObject } from "../../core/package-schema";
import { envVarNameProblem, stackOptionProblems } from "../../core/stack-options";
import { parseYaml } from "../../core/yaml";
import { readInputFile } from "../../io/input-files";
import {
  DatabaseUrlSchema,
  FILE_DEFAULTS,
  SECRET_SOURCE_EXPECTED,
  type SecretSource,
  type ServiceConfigFile,
  ServiceConfigSchema,
  STATE_STORE_DEFAULTS,
  type StackFile,
  type StateStoreFile,
  type TemporalFile,
  WORKLOAD_REFERENCE_EXPECTED,
  type WorkloadFile,
} from "./config-schema";
import { distinctProblems, schemaProblems } from "./schema-problems";

export type { SecretSource } from "./config-schema";

/**
 * The job service's configuration, resolved from the file (config-schema.ts): defaults applied,
 * seconds turned into milliseconds, paths made absolute. Secret values are never written in the
 * file: each is a reference to an environment variable or a file, read when a job runs and
 * handed to the engine through its environment.
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
  /** Where catalogue templates' installed dependencies are kept (see workspace/template-workspaces). */
  readonly templateInstallsDir: string;
  /** How tenants' template programs run: sandboxed (engine/sandbox.ts), or not. */
  readonly tenantSandbox: "bubblewrap" | "off";
  /** Where tenant stacks keep their Pulumi state (see state-store/). */
  readonly stateStore: StateStoreSettings;
  /** Where deploy workflows run: an existing Temporal cluster, or the embedded dev server (temporal/). */
  readonly temporal: TemporalSettings;
  /** The configuration file, when read from one: hidden from tenants' programs with the other secrets. */
  readonly file?: string;
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

export interface TemporalSettings {
  /** An existing cluster's frontend, host:port; absent: the embedded dev server under `<dataDir>/temporal`. */
  readonly address?: string;
  readonly namespace: string;
  /** The task queue the service's workers poll and its workflows are started on. */
  readonly taskQueue: string;
  /** TLS to the configured cluster; only with an address. */
  readonly tls?: TemporalTls;
}

/** Files as absolute paths; the private key a secret source, read when the service connects. */
export interface TemporalTls {
  /** Overrides the host name the server's certificate is checked against (and the SNI). */
  readonly serverName?: string;
  readonly serverRootCACertificate?: string;
  /** With clientPrivateKey: mutual TLS. */
  readonly clientCertificate?: string;
  readonly clientPrivateKey?: SecretSource;
}

/**
 * Where tenant stacks keep their state: files under the data directory, an S3-compatible server
 * the operator runs, or SeaweedFS started by `serve` itself. In S3, each tenant has a bucket named
 * `<bucketPrefix><tenant id>` and an identity that may reach only that bucket.
 */
export type StateStoreSettings =
  | { readonly kind: "file" }
  | (S3Settings & {
      readonly kind: "s3";
      /** `http(s)://host:port`: the S3 API, and the IAM API on the same port. */
      readonly endpoint: string;
      /** An identity that may create buckets and IAM users. */
      readonly adminCredentials: {
        readonly accessKeyId: SecretSource;
        readonly secretAccessKey: SecretSource;
      };
    })
  | (S3Settings & { readonly kind: "embedded-s3" });

export interface S3Settings {
  readonly region: string;
  readonly bucketPrefix: string;
}

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
  /** Plain configuration whose values are objects or lists (a tenant stack's structured parameters). */
  readonly structuredConfig?: Readonly<Record<string, unknown>>;
  readonly secretConfig: Readonly<Record<string, SecretSource>>;
  /** Directories searched first for plugins and tools (prepended to the engine's PATH). */
  readonly pluginPaths: readonly string[];
  readonly timeoutMs?: number;
}

type ApiFile = NonNullable<ServiceConfigFile["api"]>;

const ms = (seconds: number) => seconds * 1000;

function apiLimits(api: ApiFile): ApiLimits {
  return {
    maxConnections: api.maxConnections ?? FILE_DEFAULTS.api.maxConnections,
    headersTimeoutMs: ms(api.headersTimeoutSeconds ?? FILE_DEFAULTS.api.headersTimeoutSeconds),
    idleTimeoutMs: ms(api.idleTimeoutSeconds ?? FILE_DEFAULTS.api.idleTimeoutSeconds),
  };
}

export const DEFAULTS = {
  concurrency: FILE_DEFAULTS.concurrency,
  defaultTimeoutMs: ms(FILE_DEFAULTS.defaultTimeoutSeconds),
  cancelGraceMs: ms(FILE_DEFAULTS.cancelGraceSeconds),
  leaseMs: ms(FILE_DEFAULTS.leaseSeconds),
  lockWaitMs: ms(FILE_DEFAULTS.lockWaitSeconds),
  api: apiLimits({}),
} as const;

/** Reads a configuration file (YAML or JSON); relative paths in it are relative to the file. */
export function loadServiceConfig(file: string, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const text = readInputFile(file, "--config");
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw StackwrightInputError.single(file, `not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  return { ...parseServiceConfig(raw, dirname(resolve(file)), env), file: resolve(file) };
}

/** Checks a configuration value; reports every problem at once, each naming its field. */
export function parseServiceConfig(
  raw: unknown,
  baseDir: string,
  env: NodeJS.ProcessEnv = process.env,
): ServiceConfig {
  const file = withoutEmptySections(raw);
  const problems = distinctProblems([
    ...schemaProblems(ServiceConfigSchema, file, "config"),
    ...ruleProblems(file, baseDir, env),
  ]);
  if (problems.length > 0) throw new StackwrightInputError(problems);
  // No problem: the value is the schema's type.
  return resolveConfig(file as ServiceConfigFile, baseDir, env);
}

/** An empty `workloads:` or `stacks:` in YAML is null, and has always meant none. */
function withoutEmptySections(raw: unknown): unknown {
  if (!isPlainObject(raw)) return raw;
  const { workloads, stacks, ...rest } = raw;
  return {
    ...rest,
    ...(workloads !== null && workloads !== undefined && { workloads }),
    ...(stacks !== null && stacks !== undefined && { stacks }),
  };
}

/**
 * What the schema leaves to the shared rules of src/core and to references between fields:
 * backends and stack names, environment variable names, the workload a stack names, the database
 * URL from the environment. Runs on the value as written, whatever else is wrong with it.
 */
function ruleProblems(raw: unknown, baseDir: string, env: NodeJS.ProcessEnv): Problem[] {
  if (!isPlainObject(raw)) return [];
  const problems: Problem[] = [];
  if (raw.database === undefined && env.STACKWRIGHT_DATABASE_URL !== undefined)
    problems.push(
      ...schemaProblems(DatabaseUrlSchema, env.STACKWRIGHT_DATABASE_URL, "STACKWRIGHT_DATABASE_URL"),
    );
  const workloads = isPlainObject(raw.workloads) ? raw.workloads : {};
  const dataDir = dataDirOf(nonEmptyString(raw.dataDir), baseDir, env);
  if (isPlainObject(raw.stacks))
    for (const [name, stack] of Object.entries(raw.stacks))
      problems.push(...stackRuleProblems(name, isPlainObject(stack) ? stack : {}, workloads, dataDir));
  problems.push(...stateStoreRuleProblems(raw.stateStore));
  if (isPlainObject(raw.temporal)) problems.push(...temporalRuleProblems(raw.temporal));
  return problems;
}

/** TLS only to a configured cluster, and a client certificate only with its key (and the reverse). */
function temporalRuleProblems(temporal: Record<string, unknown>): Problem[] {
  if (!isPlainObject(temporal.tls)) return [];
  const { tls } = temporal;
  const problems: Problem[] = [];
  if (temporal.address === undefined)
    problems.push({
      at: "temporal.tls",
      message: "TLS is for a configured cluster: set temporal.address (the embedded server has no TLS)",
    });
  if (tls.clientCertificate !== undefined && tls.clientPrivateKey === undefined)
    problems.push({ at: "temporal.tls.clientPrivateKey", message: "required with clientCertificate" });
  if (tls.clientPrivateKey !== undefined && tls.clientCertificate === undefined)
    problems.push({ at: "temporal.tls.clientCertificate", message: "required with clientPrivateKey" });
  const key = tls.clientPrivateKey;
  // As for a stack's secrets: the variable's name is not quoted.
  if (isPlainObject(key) && typeof key.fromEnv === "string" && envVarNameProblem(key.fromEnv))
    problems.push({ at: "temporal.tls.clientPrivateKey", message: SECRET_SOURCE_EXPECTED });
  return problems;
}

/**
 * An embedded store with a server's settings, and the admin credentials' variable names, by the
 * rule a stack's secrets follow (never quoted).
 */
function stateStoreRuleProblems(stateStore: unknown): Problem[] {
  const s3 = isPlainObject(stateStore) && isPlainObject(stateStore.s3) ? stateStore.s3 : {};
  const problems: Problem[] = [];
  if (s3.embedded === true)
    for (const field of ["endpoint", "adminCredentials"])
      if (s3[field] !== undefined)
        problems.push({ at: `stateStore.s3.${field}`, message: "not with embedded: true (choose one)" });
  const credentials = isPlainObject(s3.adminCredentials) ? s3.adminCredentials : {};
  for (const field of ["accessKeyId", "secretAccessKey"]) {
    const source = credentials[field];
    if (isPlainObject(source) && typeof source.fromEnv === "string" && envVarNameProblem(source.fromEnv))
      problems.push({ at: `stateStore.s3.adminCredentials.${field}`, message: SECRET_SOURCE_EXPECTED });
  }
  return problems;
}

function stackRuleProblems(
  name: string,
  stack: Record<string, unknown>,
  workloads: Record<string, unknown>,
  dataDir: string,
): Problem[] {
  const at = `stacks.${name}`;
  const backend = nonEmptyString(stack.backend) ?? defaultBackend(dataDir);
  const problems = stackOptionProblems(
    { backend, stackName: name },
    { backend: `${at}.backend`, stackName: at },
    { fullyQualified: true },
  );
  if (typeof stack.workload === "string" && !Object.hasOwn(workloads, stack.workload))
    problems.push({ at: `${at}.workload`, message: WORKLOAD_REFERENCE_EXPECTED });
  const credentials = isPlainObject(stack.credentials) ? stack.credentials : {};
  for (const variable of Object.keys(credentials)) {
    const problem = envVarNameProblem(variable);
    if (problem) problems.push({ at: `${at}.credentials.${variable}`, message: problem });
  }
  const sources: [string, unknown][] = [
    ["passphrase", stack.passphrase],
    ...Object.entries(credentials).map(([k, v]): [string, unknown] => [`credentials.${k}`, v]),
    ...(isPlainObject(stack.secretConfig) ? Object.entries(stack.secretConfig) : []).map(
      ([k, v]): [string, unknown] => [`secretConfig.${k}`, v],
    ),
  ];
  // The variable's name is not quoted: a secret pasted where the name belongs stays unprinted.
  for (const [field, source] of sources)
    if (isPlainObject(source) && typeof source.fromEnv === "string" && envVarNameProblem(source.fromEnv))
      problems.push({ at: `${at}.${field}`, message: SECRET_SOURCE_EXPECTED });
  return problems;
}

function resolveConfig(file: ServiceConfigFile, baseDir: string, env: NodeJS.ProcessEnv): ServiceConfig {
  const path = pathFrom(baseDir);
  const dataDir = dataDirOf(file.dataDir, baseDir, env);
  const databaseUrl = file.database ?? env.STACKWRIGHT_DATABASE_URL;
  const workloads = Object.entries(file.workloads ?? {});
  const stacks = Object.entries(file.stacks ?? {});
  return {
    dataDir,
    ...(databaseUrl !== undefined && { databaseUrl }),
    concurrency: file.concurrency ?? FILE_DEFAULTS.concurrency,
    defaultTimeoutMs: ms(file.defaultTimeoutSeconds ?? FILE_DEFAULTS.defaultTimeoutSeconds),
    cancelGraceMs: ms(file.cancelGraceSeconds ?? FILE_DEFAULTS.cancelGraceSeconds),
    leaseMs: ms(file.leaseSeconds ?? FILE_DEFAULTS.leaseSeconds),
    lockWaitMs: ms(file.lockWaitSeconds ?? FILE_DEFAULTS.lockWaitSeconds),
    api: apiLimits(file.api ?? {}),
    templateInstallsDir:
      file.templateInstallsDir === undefined
        ? join(dataDir, "templates", "installs")
        : path(file.templateInstallsDir),
    tenantSandbox: file.tenantSandbox ?? "bubblewrap",
    stateStore: resolveStateStore(file.stateStore ?? {}, path),
    temporal: resolveTemporal(file.temporal ?? {}, path),
    workloads: new Map(workloads.map(([name, w]) => [name, resolveWorkload(name, w, path)])),
    stacks: new Map(stacks.map(([name, s]) => [name, resolveStack(name, s, dataDir, path)])),
  };
}

function resolveTemporal(temporal: TemporalFile, path: (p: string) => string): TemporalSettings {
  const { tls } = temporal;
  return {
    ...(temporal.address !== undefined && { address: temporal.address }),
    namespace: temporal.namespace ?? FILE_DEFAULTS.temporal.namespace,
    taskQueue: temporal.taskQueue ?? FILE_DEFAULTS.temporal.taskQueue,
    ...(tls !== undefined && {
      tls: {
        ...(tls.serverName !== undefined && { serverName: tls.serverName }),
        ...(tls.serverRootCACertificate !== undefined && {
          serverRootCACertificate: path(tls.serverRootCACertificate),
        }),
        ...(tls.clientCertificate !== undefined && { clientCertificate: path(tls.clientCertificate) }),
        ...(tls.clientPrivateKey !== undefined && {
          clientPrivateKey: secretSourceFrom(tls.clientPrivateKey, path),
        }),
      },
    }),
  };
}

function resolveStateStore(stateStore: StateStoreFile, path: (p: string) => string): StateStoreSettings {
  const { s3 } = stateStore;
  if (s3 === undefined) return { kind: "file" };
  const common = {
    region: s3.region ?? STATE_STORE_DEFAULTS.region,
    bucketPrefix: s3.bucketPrefix ?? STATE_STORE_DEFAULTS.bucketPrefix,
  };
  // The schema takes exactly one of `embedded` and `endpoint` with `adminCredentials`.
  if (s3.embedded === true || s3.endpoint === undefined || s3.adminCredentials === undefined)
    return { kind: "embedded-s3", ...common };
  const source = (s: SecretSource): SecretSource =>
    "fromFile" in s ? { fromFile: path(s.fromFile) } : { fromEnv: s.fromEnv };
  return {
    kind: "s3",
    endpoint: s3.endpoint.replace(/\/$/, ""),
    ...common,
    adminCredentials: {
      accessKeyId: source(s3.adminCredentials.accessKeyId),
      secretAccessKey: source(s3.adminCredentials.secretAccessKey),
    },
  };
}

function resolveWorkload(name: string, workload: WorkloadFile, path: (p: string) => string): Workload {
  const { component } = workload;
  // The schema takes exactly one of `project` and `component`.
  if (component === undefined) return { name, kind: "project", dir: path(workload.project ?? "") };
  return {
    name,
    kind: "component",
    schema: path(component.schema),
    ...(component.token !== undefined && { token: component.token }),
    spec: component.spec,
  };
}

function resolveStack(
  name: string,
  stack: StackFile,
  dataDir: string,
  path: (p: string) => string,
): StackConfig {
  const [org, project, stackName] = name.split("/") as [string, string, string];
  const source = (s: SecretSource) => secretSourceFrom(s, path);
  const sources = (map: Record<string, SecretSource> = {}) =>
    Object.fromEntries(Object.entries(map).map(([k, s]) => [k, source(s)]));
  return {
    name,
    org,
    project,
    stack: stackName,
    workload: stack.workload,
    backend: stack.backend ?? defaultBackend(dataDir),
    passphrase: source(stack.passphrase),
    credentials: sources(stack.credentials),
    config: Object.fromEntries(Object.entries(stack.config ?? {}).map(([k, v]) => [k, String(v)])),
    secretConfig: sources(stack.secretConfig),
    pluginPaths: (stack.pluginPaths ?? []).map(path),
    ...(stack.timeoutSeconds !== undefined && { timeoutMs: ms(stack.timeoutSeconds) }),
  };
}

/** A secret's file, like every path in the file, is relative to it. */
const secretSourceFrom = (s: SecretSource, path: (p: string) => string): SecretSource =>
  "fromFile" in s ? { fromFile: path(s.fromFile) } : { fromEnv: s.fromEnv };

/** Paths in the file are relative to it. */
const pathFrom = (baseDir: string) => (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));

function dataDirOf(dataDir: string | undefined, baseDir: string, env: NodeJS.ProcessEnv): string {
  return pathFrom(baseDir)(dataDir ?? env.STACKWRIGHT_DATA_DIR ?? ".stackwright");
}

const defaultBackend = (dataDir: string) => `file://${resolve(dataDir, "state")}`;

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
