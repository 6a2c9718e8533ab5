import { join } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { loadOrCreateMasterKeys } from "../config/master-keys";
import type { ServiceConfig } from "../config/service-config";
import type { StopReason } from "../domain/job";
import { JobTargets, policyPacksDir } from "../run/job-targets";
import { Envelope } from "../secrets/envelope";
import { JobStore } from "../store/job-store";
import { openDatabase } from "../store/open-database";
import { PolicyPackWorkspaces } from "../workspace/policy-packs/policy-pack-workspaces";
import { packageManagerEnvironment } from "../workspace/stack-environment";
import { TemplateWorkspaces } from "../workspace/template-workspaces";
import { Workloads } from "../workspace/workloads";
import { WorkerPool } from "./worker-pool";

/**
 * The worker pool's thread. Jobs run here, apart from the API: the Automation API alone holds
 * some 30 MB of heap, and in the API's thread every full garbage collection over it paused all
 * answers for tens of milliseconds. The two threads share nothing but the database and messages.
 */
export interface WorkerThreadData {
  readonly config: ServiceConfig;
  readonly pollMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export type ToWorkerThread =
  | { readonly type: "wake" }
  | { readonly type: "stop"; readonly jobId: string; readonly reason: StopReason }
  | { readonly type: "close" };

export type FromWorkerThread =
  | { readonly type: "ready"; readonly workerId: string }
  | { readonly type: "failed"; readonly message: string }
  | { readonly type: "notify"; readonly jobId: string }
  | { readonly type: "closed" };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error("worker-thread.js runs only as a worker thread");
  const post = (message: FromWorkerThread) => port.postMessage(message);
  const data = workerData as WorkerThreadData;
  const db = openDatabase(data.config);
  try {
    const env = data.env ?? process.env;
    const workloads = new Workloads(data.config);
    const targets = new JobTargets({
      config: data.config,
      workloads,
      db,
      envelope: new Envelope(loadOrCreateMasterKeys(data.config.dataDir, env)),
      templates: new TemplateWorkspaces({
        versionsDir: join(data.config.dataDir, "templates", "versions"),
        installsDir: data.config.templateInstallsDir,
        env: packageManagerEnvironment(env),
      }),
      policyPacks: new PolicyPackWorkspaces({
        packsDir: policyPacksDir(data.config),
        installsDir: data.config.templateInstallsDir,
        env: packageManagerEnvironment(env),
      }),
      env,
    });
    const pool = new WorkerPool({
      targets,
      store: new JobStore(db),
      events: { notify: (jobId) => post({ type: "notify", jobId }) },
      config: data.config,
      cli: await PulumiCommand.get({ skipVersionCheck: false }),
      soleOwner: db.dialect === "sqlite",
      ...(data.pollMs !== undefined && { pollMs: data.pollMs }),
      ...(data.env !== undefined && { env: data.env }),
    });
    await pool.start();
    port.on("message", (message: ToWorkerThread) => {
      if (message.type === "wake") pool.wake();
      else if (message.type === "stop") pool.stop(message.jobId, message.reason);
      else
        void pool
          .close()
          .then(() => db.close())
          .finally(() => post({ type: "closed" }));
    });
    post({ type: "ready", workerId: pool.workerId });
  } catch (error) {
    await db.close().catch(() => undefined);
    post({ type: "failed", message: error instanceof Error ? error.message : String(error) });
  }
}

void main();
