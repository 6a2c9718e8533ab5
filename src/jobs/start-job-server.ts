import { startApiServer } from "./api/server";
import { loadOrCreateMasterKeys } from "./config/master-keys";
import type { ServiceConfig } from "./config/service-config";
import { deploymentActivities } from "./deployments/deployment-activities";
import { startTemporalDeployments, type TemporalDeployments } from "./deployments/temporal-deployments";
import { upgradeActivities } from "./deployments/upgrade-activities";
import type { JobRunners } from "./domain/job-runners";
import { Envelope } from "./secrets/envelope";
import { Authenticator } from "./service/authenticator";
import { CatalogueService } from "./service/catalogue-service";
import { GovernanceService } from "./service/governance-service";
import { PolicyPackService } from "./service/policy-pack-service";
import { StackJobService } from "./service/stack-job-service";
import { TenantStackOrchestrator, tenantStackKey } from "./service/tenant-stack-orchestrator";
import { UpgradeService } from "./service/upgrade-service";
import { openStateStore } from "./state-store/state-store";
import { LocalJobNotifier } from "./store/job-notifier";
import { JobStore } from "./store/job-store";
import { migrate } from "./store/migrations";
import { openDatabase } from "./store/open-database";
import { openTemporal } from "./temporal/endpoint";
import { startWorkerThread } from "./workers/worker-thread-host";
import { checkTemplateCode } from "./workspace/template-code-check";
import { Workloads } from "./workspace/workloads";

export interface JobServerOptions {
  readonly config: ServiceConfig;
  /** The API's bearer token; the API is not served without one. */
  readonly token?: string;
  readonly host?: string;
  readonly port?: number;
  /** Run jobs in this process (default true). */
  readonly workers?: boolean;
  readonly pollMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/** The catalogue and its governance, served beside the job API. */
export interface PlatformServices {
  readonly authenticator: Authenticator;
  readonly governance: GovernanceService;
  readonly catalogue: CatalogueService;
  readonly stacks: TenantStackOrchestrator;
  readonly upgrades: UpgradeService;
  readonly policies: PolicyPackService;
}

export interface JobServer {
  readonly config: ServiceConfig;
  readonly service: StackJobService;
  readonly platform: PlatformServices;
  /** Where the API listens, when it is served. */
  readonly url?: string;
  readonly workerId?: string;
  close(): Promise<void>;
}

/**
 * The job service assembled: database (SQLite in the data directory, or PostgreSQL), migrations,
 * the worker pool (in a thread of its own) and the API. Everything it starts, close() stops.
 */
export async function startJobServer(options: JobServerOptions): Promise<JobServer> {
  const { config } = options;
  const workloads = new Workloads(config);
  const db = openDatabase(config);
  const closers: (() => Promise<void>)[] = [() => db.close()];
  const close = async () => {
    for (const c of closers.reverse()) await c();
  };
  try {
    await migrate(db);
    const store = new JobStore(db);
    const events = new LocalJobNotifier();
    const service = new StackJobService(store, events, config, workloads);
    const env = options.env ?? process.env;
    const catalogue = new CatalogueService(db, (code) => checkTemplateCode(code));
    let runners: JobRunners | undefined;
    let deployments: TemporalDeployments | undefined;
    const envelope = new Envelope(loadOrCreateMasterKeys(config.dataDir, env));
    // Tenant stacks' state: files, or S3 (an embedded SeaweedFS starts here; workers find it).
    const stateStore = await openStateStore(config, { db, envelope, env }, "serve");
    closers.push(() => stateStore.close());
    const stacks = new TenantStackOrchestrator({
      db,
      catalogue,
      envelope,
      stateLocation: (tenantId, stackId) => stateStore.locationFor(tenantId, stackId),
      jobs: service,
      workflows: () => deployments,
    });
    const platform: PlatformServices = {
      // The service's own token is the one the API is served with: the same one the gate accepts.
      authenticator: new Authenticator(db, () => (options.token === undefined ? [] : [options.token])),
      governance: new GovernanceService(db),
      catalogue,
      stacks,
      upgrades: new UpgradeService({ db, catalogue, stacks, workflows: () => deployments }),
      policies: new PolicyPackService(db),
    };
    // The API listens before any worker starts: a service started by mistake on another's port
    // fails before its workers take the other's running jobs for orphans.
    let url: string | undefined;
    if (options.token !== undefined) {
      const api = await startApiServer({
        service,
        token: options.token,
        host: options.host ?? "127.0.0.1",
        port: options.port ?? 0,
        limits: config.api,
        platform: {
          authenticate: (token) => platform.authenticator.authenticate(token),
          catalogue: platform.catalogue,
          stacks: platform.stacks,
          upgrades: platform.upgrades,
          governance: platform.governance,
          policies: platform.policies,
        },
      });
      url = api.url;
      closers.push(() => api.close());
    }
    if (options.workers !== false) {
      runners = await startWorkerThread(
        {
          config,
          ...(options.pollMs !== undefined && { pollMs: options.pollMs }),
          ...(options.env !== undefined && { env: options.env }),
        },
        events,
      );
      const started = runners;
      closers.push(() => started.close());
      service.attach(started);
    }
    // Deployments' workflows run on Temporal (embedded or configured); their activities queue jobs
    // for the runners above and wait for them.
    const temporal = await openTemporal(config, env);
    closers.push(() => temporal.close());
    const workflows = await startTemporalDeployments({
      endpoint: temporal.endpoint,
      taskQueue: config.temporal.taskQueue,
      worker: options.workers !== false,
      activities: {
        ...upgradeActivities(db),
        ...deploymentActivities({
          db,
          notifier: events,
          runners: () => runners,
          stackKey: tenantStackKey,
          timeoutMs: config.defaultTimeoutMs,
          revalidate: (stack) => stacks.revalidate(stack),
        }),
      },
    });
    deployments = workflows;
    closers.push(() => workflows.close());
    await stacks.reconcile();
    await platform.upgrades.reconcile();
    return {
      config,
      service,
      platform,
      ...(url !== undefined && { url }),
      ...(runners !== undefined && { workerId: runners.workerId }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
