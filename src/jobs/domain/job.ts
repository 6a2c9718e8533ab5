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

/**
 * What a job does with a Pulumi update plan (issue 15, "up with exactly the approved plan"): a
 * preview saves the plan of the update it shows; an up applies a saved plan's text and does
 * nothing beyond it. The plan's text never appears on a Job: it can be large, and it is read on
 * its own (JobStore.savedPlan).
 */
export type JobPlan = { readonly save: true } | { readonly apply: string };

/** Why `plan` cannot go with a job of `operation`; undefined when it can. */
export function planProblem(operation: Operation, plan: JobPlan): string | undefined {
  // Checked as written, not as typed: plans also come from workflows' JSON.
  const saves = "save" in plan && plan.save === true;
  const applies = "apply" in plan && typeof plan.apply === "string";
  if (saves === applies) return "a job's plan is either { save: true } or { apply: <plan text> }";
  if (saves)
    return operation === "preview" ? undefined : `only a preview can save an update plan, not ${operation}`;
  if (operation !== "up") return `only an up can apply an update plan, not ${operation}`;
  return isJsonObject((plan as { apply: string }).apply)
    ? undefined
    : "the plan to apply is not an update plan that a preview saved (not a JSON object)";
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value);
  } catch {
    return false;
  }
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
