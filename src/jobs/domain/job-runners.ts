import type { StopReason } from "./job";

/** What the service asks of whatever runs its jobs: a worker pool, here or in a worker thread. */
export interface JobRunners {
  readonly workerId: string;
  /** Look for runnable jobs now: one was just queued. */
  wake(): void;
  /** Stop a job if it runs here; a job running elsewhere sees its cancel flag at its next heartbeat. */
  stop(jobId: string, reason: StopReason): void;
  /** Stop claiming; running jobs are canceled and their results recorded first. */
  close(): Promise<void>;
}
