import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { UNCONSTRAINED } from "../../catalog/constraints";
import { templateContentHash } from "../../catalog/content-hash";
import { stackParametersUnder } from "../../catalog/stack-parameters";
import { parseYaml } from "../../core/yaml";
import type { ServiceConfig, StackConfig } from "../config/service-config";
import type { TemplateLanguage } from "../domain/catalogue";
import type { Job } from "../domain/job";
import type { PolicyPack } from "../domain/policy-pack";
import { workloadVersion } from "../domain/tenant-stack";
import { SANDBOX_COMMAND, type SandboxPlan } from "../engine/sandbox";
import type { Envelope } from "../secrets/envelope";
import {
  type EngineAccess,
  openStateStore,
  STATE_RESERVED_VARIABLES,
  type StateStore,
} from "../state-store/state-store";
import { CatalogueStore } from "../store/catalogue-store";
import { PolicyPackStore } from "../store/policy-pack-store";
import { SealedSecretStore } from "../store/sealed-secret-store";
import type { SqlExecutor } from "../store/sql-database";
import { TenantStackStore } from "../store/tenant-stack-store";
import { fileBackendDir } from "../workspace/file-backends";
import { mirrorProject } from "../workspace/project-workspace";
import type { Workloads } from "../workspace/workloads";
import type { ProjectSource } from "./run-job";

/** What a job runs against: its stack, the environment its secrets are read from, its project. */
export interface JobTarget {
  readonly stack: StackConfig;
  /** The environment the stack's secret sources are read from (stack-environment.ts). */
  readonly env: NodeJS.ProcessEnv;
  readonly project: ProjectSource;
  readonly readOutputs: boolean;
  /** Where the program may look and write; none: it runs unsandboxed (the operator's own stacks). */
  readonly sandbox?: SandboxPlan;
}

/** Builds a template version's program with its dependencies (workspace/template-workspaces). */
export interface TemplatePreparer {
  prepare(
    version: {
      readonly contentHash: string;
      readonly language: TemplateLanguage;
      readonly files: Readonly<Record<string, string>>;
      readonly dependencies: Readonly<Record<string, string>>;
    },
    signal?: AbortSignal,
  ): Promise<{ dir: string; runtime: string; project: string }>;
}

/** Builds a policy pack version for the engine (workspace/policy-packs); gives its directory. */
export interface PolicyPackPreparer {
  prepare(pack: PolicyPack, signal?: AbortSignal): Promise<string>;
}

/** Where prepared policy packs are kept: inside the data directory, readable from the sandbox. */
export function policyPacksDir(config: ServiceConfig): string {
  return join(config.dataDir, "policy-packs");
}

export interface JobTargetOptions {
  readonly config: ServiceConfig;
  readonly workloads: Workloads;
  readonly db: SqlExecutor;
  readonly envelope: Envelope;
  readonly templates: TemplatePreparer;
  readonly policyPacks: PolicyPackPreparer;
  readonly env: NodeJS.ProcessEnv;
}

/** The job-store key of a tenant stack's jobs (`tenant-stack:<id>`, see the orchestrator). */
const TENANT_STACK_KEY = /^tenant-stack:(.+)$/;
const RUNTIMES: Readonly<Record<TemplateLanguage, string>> = {
  typescript: "nodejs",
  python: "python",
  yaml: "yaml",
};
/**
 * Names under which a tenant stack's decrypted secrets reach stack-environment.ts: only in the
 * environment it reads secret sources from, never in the engine's, which gets them under their
 * real names (PULUMI_CONFIG_PASSPHRASE, the credential's own name) or as secret config.
 */
const PASSPHRASE_SOURCE = "STACKWRIGHT_TENANT_PASSPHRASE";
const credentialSource = (name: string) => `STACKWRIGHT_TENANT_CREDENTIAL_${name}`;
const parameterSource = (index: number) => `STACKWRIGHT_TENANT_SECRET_PARAMETER_${index}`;
const stateSource = (name: string) => `STACKWRIGHT_TENANT_STATE_${name}`;

/**
 * Resolves a job to what it runs: a stack of the service's configuration with its workload, or a
 * tenant's stack of a catalogue template, its secrets opened for this run only.
 */
export class JobTargets {
  private store: Promise<StateStore> | undefined;

  constructor(private readonly options: JobTargetOptions) {}

  /** The state store as jobs use it: it starts nothing (`serve` runs an embedded one). */
  private stateStore(): Promise<StateStore> {
    const { config, db, envelope, env } = this.options;
    this.store ??= openStateStore(config, { db, envelope, env }, "jobs");
    return this.store;
  }

  /** The job's target, or why it has none any more. */
  async resolve(job: Job, signal: AbortSignal): Promise<JobTarget | { error: string }> {
    const tenantStack = TENANT_STACK_KEY.exec(job.stack);
    if (tenantStack !== null) return this.tenantStack(tenantStack[1] as string, job.workload, signal);
    const { config, workloads, env } = this.options;
    const stack = config.stacks.get(job.stack);
    if (stack === undefined)
      return { error: `stack: ${job.stack} is no longer in the service's configuration` };
    return {
      stack,
      env,
      readOutputs: false,
      project: {
        runtime: workloads.runtime(stack.workload),
        prepare: async () => workloads.projectDir(stack, job.spec ?? undefined),
      },
    };
  }

  /**
   * A tenant stack's job runs the template version its workload names: the stack's own for its
   * deploys, or the one a preview was asked for — a draft as it is saved now, its parameters the
   * stack's checked against it, with its defaults (the stack's record is never changed for it).
   */
  private async tenantStack(
    stackId: string,
    workload: string,
    signal: AbortSignal,
  ): Promise<JobTarget | { error: string }> {
    const { db, envelope, templates, policyPacks, config } = this.options;
    const stack = await new TenantStackStore(db).get(stackId);
    if (stack === undefined) return { error: `the tenant stack ${stackId} no longer exists` };
    const named = workloadVersion(workload);
    if (named?.templateId !== stack.templateId)
      return { error: `the job's workload ${workload} is no version of the stack's template` };
    const versionNumber = named.version;
    const catalogue = new CatalogueStore(db);
    const template = await catalogue.templateById(stack.templateId);
    const version = await catalogue.version(stack.templateId, versionNumber);
    if (template === undefined || version === undefined)
      return { error: `template version ${versionNumber} of the stack's template is missing` };
    // A draft is prepared under the hash publishing it as it now is would give it: a draft saved
    // again is a new program, never one prepared before.
    const contentHash =
      version.contentHash ?? templateContentHash({ language: template.language, ...version });
    const projectName = projectNameOf(version.files["Pulumi.yaml"]);
    const env: NodeJS.ProcessEnv = { ...this.options.env };
    const owner = `stack:${stack.id}`;
    const sealed = await new SealedSecretStore(db).all(owner);
    const passphrase = sealed.get("passphrase");
    if (passphrase === undefined) return { error: "the stack's passphrase is missing" };
    env[PASSPHRASE_SOURCE] = envelope.open(passphrase, `${owner}/passphrase`);
    const secretConfig: Record<string, { fromEnv: string }> = {};
    const secretParameters = new Map<string, string>();
    let index = 0;
    for (const [name, value] of sealed) {
      if (!name.startsWith("parameter:")) continue;
      const source = parameterSource(index++);
      const opened = envelope.open(value, `${owner}/${name}`);
      env[source] = opened;
      secretConfig[name.slice("parameter:".length)] = { fromEnv: source };
      secretParameters.set(name.slice("parameter:".length), opened);
    }
    let parameters = stack.parameters;
    if (version.version !== stack.templateVersion) {
      const constraint =
        (await catalogue.constraint(stack.templateId, stack.tenantId))?.constraint ?? UNCONSTRAINED;
      const checked = stackParametersUnder(version, constraint, stack.parameters, secretParameters);
      if (checked.problems.length > 0)
        return {
          error: `the stack's parameters do not fit version ${version.version} of its template: ${checked.problems
            .map((p) => `${p.at}: ${p.message}`)
            .join("; ")}`,
        };
      parameters = checked.plain;
    }
    const tenantOwner = `tenant:${stack.tenantId}`;
    const credentials: Record<string, { fromEnv: string }> = {};
    for (const [name, value] of await new SealedSecretStore(db).all(tenantOwner)) {
      env[credentialSource(name)] = envelope.open(value, `${tenantOwner}/${name}`);
      credentials[name] = { fromEnv: credentialSource(name) };
    }
    // The tenant's own key to its state, for the engine alone; never beside a credential of the
    // tenant's that the engine's S3 client would read too.
    let state: EngineAccess;
    try {
      state = await (await this.stateStore()).engineAccess(stack.tenantId, stack.stateLocation);
    } catch (error) {
      return { error: `the stack's state store: ${(error as Error).message}` };
    }
    if (Object.keys(state.environment).length > 0) {
      const clash = STATE_RESERVED_VARIABLES.find((name) => Object.hasOwn(credentials, name));
      if (clash !== undefined)
        return {
          error: `the tenant's credential ${clash} would take the place of the S3 key its stacks' state is kept with: give the program that credential under another name`,
        };
    }
    for (const [name, value] of Object.entries(state.environment)) {
      env[stateSource(name)] = value;
      credentials[name] = { fromEnv: stateSource(name) };
    }
    const backendDir = fileBackendDir(stack.stateLocation);
    if (backendDir !== undefined) mkdirSync(backendDir, { recursive: true, mode: 0o700 });
    const stackConfig: StackConfig = {
      name: `organization/${projectName}/${stack.name}`,
      org: "organization",
      project: projectName,
      stack: stack.name,
      workload: `template:${template.name}@${version.version}`,
      backend: state.backend,
      passphrase: { fromEnv: PASSPHRASE_SOURCE },
      credentials,
      config: Object.fromEntries(
        Object.entries(parameters)
          .filter(([, value]) => !isStructured(value))
          .map(([key, value]) => [key, String(value)]),
      ),
      structuredConfig: Object.fromEntries(
        Object.entries(parameters).filter(([, value]) => isStructured(value)),
      ),
      secretConfig,
      pluginPaths: [],
    };
    const projectDir = join(config.dataDir, "tenant-stacks", stack.id, "project");
    if (config.tenantSandbox === "bubblewrap" && !onPath(SANDBOX_COMMAND, env.PATH))
      return {
        error:
          "tenants' programs run in a bubblewrap sandbox, and bwrap is not on the service's PATH: install Debian's 'bubblewrap' package (or set tenantSandbox: off in the service's configuration)",
      };
    return {
      stack: stackConfig,
      env,
      readOutputs: true,
      ...(config.tenantSandbox === "bubblewrap" && {
        sandbox: sandboxPlan(config, join(config.dataDir, "tenant-stacks", stack.id), backendDir, env),
      }),
      project: {
        runtime: RUNTIMES[template.language],
        prepare: async () => {
          const prepared = await templates.prepare(
            {
              contentHash,
              language: template.language,
              files: version.files,
              dependencies: version.dependencies,
            },
            signal,
          );
          mirrorProject(prepared.dir, projectDir);
          return projectDir;
        },
        // Read when the job runs: a pack attached or detached since it was queued counts.
        policyPacks: async () => {
          const applied = await new PolicyPackStore(db).appliedTo(template.id, stack.tenantId);
          return Promise.all(
            applied.map(async ({ pack, enforcement }) => ({
              dir: await policyPacks.prepare(pack, signal),
              enforcement,
            })),
          );
        },
      },
    };
  }
}

/**
 * A tenant stack's sandbox: the data directory hidden (the database, the master key and API
 * token, every other stack's state and project), with every secret file the configuration names;
 * its own project copy and state writable; the template's program and installs readable.
 */
function sandboxPlan(
  config: ServiceConfig,
  stackDir: string,
  backendDir: string | undefined,
  env: NodeJS.ProcessEnv,
): SandboxPlan {
  const stateStoreSecrets =
    config.stateStore.kind === "s3" ? Object.values(config.stateStore.adminCredentials) : [];
  const secretFiles = [
    ...[...config.stacks.values()].flatMap((stack) => [
      stack.passphrase,
      ...Object.values(stack.credentials),
      ...Object.values(stack.secretConfig),
    ]),
    ...stateStoreSecrets,
  ].flatMap((source) => ("fromFile" in source ? [source.fromFile] : []));
  const pulumiHome = env.PULUMI_HOME ?? join(env.HOME ?? homedir(), ".pulumi");
  return {
    hiddenDirs: [config.dataDir],
    hiddenFiles: [...secretFiles, ...(config.file === undefined ? [] : [config.file])],
    readable: [
      join(config.dataDir, "templates", "versions"),
      policyPacksDir(config),
      config.templateInstallsDir,
    ],
    writable: [stackDir, ...(backendDir === undefined ? [] : [backendDir]), pulumiHome],
    readOnlyWithin: [join(pulumiHome, "plugins")],
  };
}

function onPath(command: string, path: string | undefined): boolean {
  return (path ?? "").split(delimiter).some((dir) => dir !== "" && existsSync(join(dir, command)));
}

const isStructured = (value: unknown): boolean => value !== null && typeof value === "object";

function projectNameOf(pulumiYaml: string | undefined): string {
  const parsed = pulumiYaml === undefined ? undefined : (parseYaml(pulumiYaml) as { name?: unknown });
  if (typeof parsed?.name !== "string") throw new Error("the template's Pulumi.yaml has no name");
  return parsed.name;
}
