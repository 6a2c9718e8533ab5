import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import type { ServiceConfig } from "../config/service-config";
import type { Job, StopReason } from "../domain/job";
import type { JobRunners } from "../domain/job-runners";
import { EngineProcesses } from "../engine/engine-process";
import { killJobProcesses } from "../engine/job-process-tree";
import { clearStackLock } from "../engine/stack-lock";
import type { JobTargets } from "../run/job-targets";
import { lockRetryPolicy } from "../run/retry-policy";
import { runJob } from "../run/run-job";
import { StackSetups } from "../run/stack-setups";
import type { JobNotifier } from "../store/job-notifier";
import type { JobStore } from "../store/job-store";
import { ensureFileBackends } from "../workspace/file-backends";
import { jobScratchDir, removeJobScratch, sweepJobScratch } from "../workspace/job-scratch";
import { serviceSecretValues } from "../workspace/service-secrets";
import { baseEngineEnvironment, stackEnvironment } from "../workspace/stack-environment";

export interface WorkerPoolOptions {
  /** Resolves each job to its stack, secrets and project. */
  readonly targets: JobTargets;
  readonly store: JobStore;
  readonly events: JobNotifier;
  readonly config: ServiceConfig;
  readonly cli: PulumiCommand;
  /** True when this process is the database's only user (SQLite): every running job found at start is orphaned. */
  readonly soleOwner: boolean;
  /** How often to look for work that other processes queued, and for expired leases. */
  readonly pollMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

interface Running {
  readonly job: Job;
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/**
 * Runs queued jobs: at most `config.concurrency` at once in this process, at most one per stack
 * across every process sharing the database (the store's claim guarantees it). Each running job
 * holds a lease that a heartbeat extends; a worker that dies stops heartbeating, its lease
 * expires, and any other worker resolves the job as interrupted and clears the stack's lock.
 */
export class WorkerPool implements JobRunners {
  readonly workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly running = new Map<string, Running>();
  private readonly setups = new StackSetups();
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private pollTimer: NodeJS.Timeout | undefined;
  private filling: Promise<void> | undefined;
  private refill = false;
  private stopped = false;

  constructor(private readonly options: WorkerPoolOptions) {
    this.leaseMs = options.config.leaseMs;
    this.pollMs = options.pollMs ?? 1000;
  }

  async start(): Promise<void> {
    ensureFileBackends(this.options.config);
    await this.resolveOrphans(this.options.soleOwner);
    await sweepJobScratch(this.options.config.dataDir, async (id) => {
      if (this.running.has(id)) return true;
      return (await this.options.store.get(id))?.status === "running";
    });
    this.pollTimer = setInterval(() => {
      void this.resolveOrphans(false).catch(() => undefined);
      this.wake();
    }, this.pollMs);
    this.wake();
  }

  /** Looks for runnable jobs now (after a job was queued or one finished). */
  wake(): void {
    if (this.stopped) return;
    if (this.filling) {
      this.refill = true;
      return;
    }
    this.filling = this.fill()
      .catch(() => undefined)
      .finally(() => {
        this.filling = undefined;
        if (this.refill) {
          this.refill = false;
          this.wake();
        }
      });
  }

  /** Stops a job if it runs in this process (elsewhere, its worker sees the cancel flag). */
  stop(jobId: string, reason: StopReason): void {
    const run = this.running.get(jobId);
    if (run && !run.controller.signal.aborted) run.controller.abort(reason);
  }

  /** Stops claiming; running jobs are canceled, and their results recorded, before this returns. */
  async close(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    await this.filling;
    for (const id of this.running.keys()) this.stop(id, "canceled");
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  private async fill(): Promise<void> {
    while (!this.stopped && this.running.size < this.options.config.concurrency) {
      const job = await this.options.store.claim(this.workerId, this.leaseMs);
      if (!job) return;
      this.options.events.notify(job.id);
      const controller = new AbortController();
      const done = this.execute(job, controller).finally(() => {
        this.running.delete(job.id);
        this.wake();
      });
      this.running.set(job.id, { job, controller, done });
    }
  }

  private async execute(job: Job, controller: AbortController): Promise<void> {
    const { store, events, config, cli, targets } = this.options;
    const timeout = setTimeout(() => controller.abort("timed_out"), job.timeoutMs);
    const heartbeat = setInterval(() => void this.beat(job, controller), Math.max(50, this.leaseMs / 3));
    // Events are written in order, one after another, whatever the engine's pace.
    let written: Promise<void> = Promise.resolve();
    const emit = (kind: string, data: Record<string, unknown>) => {
      written = written
        .then(() => store.appendEvent(job.id, kind, data))
        .then(() => events.notify(job.id))
        .catch(() => undefined);
    };
    const env = this.options.env ?? process.env;
    try {
      const target = await targets.resolve(job, controller.signal).catch((error: Error) => ({
        error: `the job's stack could not be prepared: ${error.message}`,
      }));
      const plan = "error" in target ? undefined : await store.requestedPlan(job.id);
      const result =
        "error" in target
          ? {
              status: "failed" as const,
              exitCode: null,
              error: target.error,
              changes: null,
              output: "",
              outputTruncated: false,
            }
          : await runJob({
              job,
              stack: target.stack,
              project: target.project,
              readOutputs: target.readOutputs,
              ...(target.sandbox !== undefined && { sandbox: target.sandbox }),
              cli,
              signal: controller.signal,
              graceMs: config.cancelGraceMs,
              emit,
              onRetry: () => store.recordRetry(job.id, this.workerId),
              retry: lockRetryPolicy(config.lockWaitMs),
              setups: this.setups,
              env: target.env,
              scratchDir: jobScratchDir(config.dataDir, job.id),
              serviceSecrets: serviceSecretValues(config, env),
              ...(plan !== undefined && { plan }),
            });
      await written;
      await store.finish(job.id, this.workerId, result);
    } finally {
      removeJobScratch(config.dataDir, job.id);
      clearTimeout(timeout);
      clearInterval(heartbeat);
      events.notify(job.id);
    }
  }

  /** Extends the lease, and notices a cancel asked through another process's API. */
  private async beat(job: Job, controller: AbortController): Promise<void> {
    try {
      const held = await this.options.store.heartbeat(job.id, this.workerId, this.leaseMs);
      if (!held || (await this.options.store.isCancelRequested(job.id))) controller.abort("canceled");
    } catch {
      // The database is briefly unreachable: the next beat tries again, within the lease.
    }
  }

  /**
   * Finishes the jobs of dead workers as failed (`interrupted`), after stopping whatever they left
   * running on this machine and clearing their stacks' locks — in that order, while the jobs
   * still count as running, so no next job of their stacks can start against a stale lock.
   */
  private async resolveOrphans(all: boolean): Promise<void> {
    const { store, events, config, cli, targets } = this.options;
    const orphans = await store.takeOverInterrupted({ workerId: this.workerId, leaseMs: this.leaseMs, all });
    for (const job of orphans) {
      killJobProcesses(job.id);
      const target = await targets.resolve(job, AbortSignal.abort()).catch(() => undefined);
      if (target !== undefined && !("error" in target)) {
        let env: NodeJS.ProcessEnv;
        try {
          env = stackEnvironment(target.stack, target.env).env;
        } catch {
          env = baseEngineEnvironment(this.options.env);
        }
        const scratch = jobScratchDir(config.dataDir, job.id);
        await clearStackLock(target.stack, env, cli, new EngineProcesses(), scratch).catch(() => undefined);
      }
      removeJobScratch(config.dataDir, job.id);
      await store.finish(job.id, this.workerId, {
        status: "failed",
        exitCode: null,
        error: "interrupted",
        changes: job.changes,
        output: job.output,
        outputTruncated: job.outputTruncated,
      });
      events.notify(job.id);
    }
  }
}
