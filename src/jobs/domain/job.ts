/** The job service's vocabulary. */

export const OPERATIONS = ["preview", "up", "refresh", "destroy"] as const;
export type Operation = (typeof OPERATIONS)[number];

export const JOB_STATUSES = ["queued", "running", "succeeded", "failed", "canceled", "timed_out"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set([
  "succeeded",
  "failed",
  "canceled",
  "timed_out",
]);

/** Why a job was stopped before it finished on its own. */
export type StopReason = "canceled" | "timed_out";

/** Resource changes by kind of operation (create, update, delete, same, …), as the engine counts them. */
export type ChangeSummary = Record<string, number>;

export interface Job {
  readonly id: string;
  /** `org/project/stack`. */
  readonly stack: string;
  readonly workload: string;
  readonly operation: Operation;
  readonly status: JobStatus;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly attempt: number;
  readonly exitCode: number | null;
  readonly error: string | null;
  readonly changes: ChangeSummary | null;
  /** The engine's output, secrets redacted, bounded (see `outputTruncated`). */
  readonly output: string;
  readonly outputTruncated: boolean;
  readonly timeoutMs: number;
  readonly cancelRequested: boolean;
  /** The component inputs this job deploys, when its request carried them (component workloads). */
  readonly spec: Record<string, unknown> | null;
  /** The stack's outputs after the job, secret ones as a marker, for jobs that read them. */
  readonly outputs: Record<string, unknown> | null;
}

/** One progress event of a job, in order: `seq` counts from 1 per job. */
export interface JobEvent {
  readonly jobId: string;
  readonly seq: number;
  readonly at: number;
  /** `status` for status changes; otherwise the engine event's kind (resourcePreEvent, …). */
  readonly kind: string;
  readonly data: Record<string, unknown>;
}

export function isOperation(value: string): value is Operation {
  return (OPERATIONS as readonly string[]).includes(value);
}

export function isJobStatus(value: string): value is JobStatus {
  return (JOB_STATUSES as readonly string[]).includes(value);
}
