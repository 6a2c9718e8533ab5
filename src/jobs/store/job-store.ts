import { randomUUID } from "node:crypto";
import {
  type ChangeSummary,
  isJobStatus,
  type Job,
  type JobEvent,
  type JobPlan,
  type JobStatus,
  type Operation,
  planProblem,
  TERMINAL_STATUSES,
} from "../domain/job";
import { JobServiceError } from "../domain/job-service";
import {
  isUniqueViolation,
  type Row,
  type SqlDatabase,
  type SqlExecutor,
  type SqlTransaction,
  type SqlValue,
} from "./sql-database";

export interface NewJob {
  readonly stack: string;
  readonly workload: string;
  readonly operation: Operation;
  readonly timeoutMs: number;
  readonly spec?: Record<string, unknown>;
  /** Save the preview's update plan, or apply a saved one's text (see JobPlan). */
  readonly plan?: JobPlan;
}

export interface JobFilter {
  readonly stack?: string;
  readonly workload?: string;
  readonly status?: JobStatus;
  readonly operation?: Operation;
  /** Return jobs older than this job (by creation order): the previous page's last id. */
  readonly before?: string;
  readonly limit: number;
}

export interface JobResult {
  readonly status: Exclude<JobStatus, "queued" | "running">;
  readonly exitCode: number | null;
  readonly error: string | null;
  readonly changes: ChangeSummary | null;
  readonly output: string;
  readonly outputTruncated: boolean;
  /** The stack's outputs, for jobs that read them (tenant stacks' updates). */
  readonly outputs?: Record<string, unknown> | null;
  /** The update plan a succeeded save-plan preview wrote: JSON, its secrets encrypted by the stack's secrets manager. */
  readonly savedPlan?: string;
}

const MAX_RETRIES_ON_CONFLICT = 5;

/**
 * Jobs and their events in SQL. Each state change is one statement, so the same code is safe for
 * one process on SQLite and for many workers on PostgreSQL: a claim takes the oldest queued job
 * of a stack that has none running, and the unique index on running jobs per stack refuses a
 * second claim on the same stack, whoever makes it.
 *
 * On a transaction (a caller that queues a job together with its own records), the store's
 * statements join it.
 */
export class JobStore {
  constructor(private readonly db: SqlDatabase | SqlTransaction) {}

  /** Queues a job; throws JobServiceError (`invalid_argument`, field `plan`) for a plan its operation cannot take. */
  async create(job: NewJob, now = Date.now()): Promise<Job> {
    const plan = job.plan;
    if (plan !== undefined) {
      const problem = planProblem(job.operation, plan);
      if (problem !== undefined) throw new JobServiceError("invalid_argument", "plan", problem);
    }
    const id = randomUUID();
    const insert = async (db: SqlExecutor) => {
      await db.run(
        `INSERT INTO jobs (seq, id, stack, workload, operation, status, created_at, timeout_ms, spec)
         VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM jobs), ?, ?, ?, ?, 'queued', ?, ?, ?)`,
        [
          id,
          job.stack,
          job.workload,
          job.operation,
          now,
          job.timeoutMs,
          job.spec === undefined ? null : JSON.stringify(job.spec),
        ],
      );
      if (plan !== undefined)
        await db.run("INSERT INTO job_plans (job_id, mode, plan) VALUES (?, ?, ?)", [
          id,
          "save" in plan ? "save" : "apply",
          "apply" in plan ? plan.apply : null,
        ]);
    };
    for (let attempt = 0; ; attempt++) {
      try {
        // A job and its plan land together: a worker that claimed an up before its plan was
        // written would run it unconstrained.
        await (plan === undefined ? insert(this.db) : this.atomically(insert));
        break;
      } catch (error) {
        // Two creators took the same seq; the loser takes the next one.
        if (!isUniqueViolation(error) || attempt >= MAX_RETRIES_ON_CONFLICT) throw error;
      }
    }
    await this.appendEvent(id, "status", { status: "queued" }, now);
    return (await this.get(id)) as Job;
  }

  /** What the job was queued to do with an update plan; undefined for a job without one. */
  async requestedPlan(jobId: string): Promise<JobPlan | undefined> {
    const [row] = await this.db.query("SELECT mode, plan FROM job_plans WHERE job_id = ?", [jobId]);
    if (row === undefined) return undefined;
    return row.mode === "apply" ? { apply: String(row.plan) } : { save: true };
  }

  /** The update plan a save-plan preview produced, once it succeeded; undefined for any other job. */
  async savedPlan(jobId: string): Promise<string | undefined> {
    const [row] = await this.db.query(
      `SELECT p.plan FROM job_plans p JOIN jobs j ON j.id = p.job_id
       WHERE p.job_id = ? AND p.mode = 'save' AND j.status = 'succeeded' AND p.plan IS NOT NULL`,
      [jobId],
    );
    return row === undefined ? undefined : String(row.plan);
  }

  async get(id: string): Promise<Job | undefined> {
    const [row] = await this.db.query("SELECT * FROM jobs WHERE id = ?", [id]);
    return row === undefined ? undefined : toJob(row);
  }

  /** Newest first. */
  async list(filter: JobFilter): Promise<Job[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    for (const [column, value] of [
      ["stack", filter.stack],
      ["workload", filter.workload],
      ["status", filter.status],
      ["operation", filter.operation],
    ] as const) {
      if (value !== undefined) {
        where.push(`${column} = ?`);
        params.push(value);
      }
    }
    if (filter.before !== undefined) {
      where.push("seq < (SELECT seq FROM jobs WHERE id = ?)");
      params.push(filter.before);
    }
    const rows = await this.db.query(
      `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT ?`,
      [...params, filter.limit],
    );
    return rows.map(toJob);
  }

  /**
   * Claims the next runnable job for `workerId`: the oldest queued job whose stack has no running
   * job and no older queued job. Returns undefined when there is none.
   */
  async claim(workerId: string, leaseMs: number, now = Date.now()): Promise<Job | undefined> {
    const skipLocked = this.db.dialect === "postgres" ? "FOR UPDATE SKIP LOCKED" : "";
    for (let attempt = 0; attempt < MAX_RETRIES_ON_CONFLICT; attempt++) {
      let rows: Row[];
      try {
        rows = await this.db.query(
          `UPDATE jobs SET status = 'running', worker_id = ?, lease_expires_at = ?, started_at = ?,
             attempt = attempt + 1
           WHERE status = 'queued' AND id = (
             SELECT j.id FROM jobs j
             WHERE j.status = 'queued'
               AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.stack = j.stack AND r.status = 'running')
               AND j.seq = (SELECT MIN(q.seq) FROM jobs q WHERE q.stack = j.stack AND q.status = 'queued')
             ORDER BY j.seq LIMIT 1 ${skipLocked})
           RETURNING *`,
          [workerId, now + leaseMs, now],
        );
      } catch (error) {
        // Another worker claimed a job of the same stack first: look again.
        if (isUniqueViolation(error)) continue;
        throw error;
      }
      const row = rows[0];
      if (row === undefined) return undefined;
      await this.appendEvent(
        String(row.id),
        "status",
        { status: "running", attempt: Number(row.attempt), worker: workerId },
        now,
      );
      return toJob(row);
    }
    return undefined;
  }

  /** Extends the lease of a running job; false when the job is no longer this worker's. */
  async heartbeat(id: string, workerId: string, leaseMs: number, now = Date.now()): Promise<boolean> {
    const changed = await this.db.run(
      "UPDATE jobs SET lease_expires_at = ? WHERE id = ? AND worker_id = ? AND status = 'running'",
      [now + leaseMs, id, workerId],
    );
    return changed === 1;
  }

  /** Counts one more attempt of a running job (a retry after a concurrent update). */
  async recordRetry(id: string, workerId: string): Promise<void> {
    await this.db.run(
      "UPDATE jobs SET attempt = attempt + 1 WHERE id = ? AND worker_id = ? AND status = 'running'",
      [id, workerId],
    );
  }

  /** Records a result; only the worker holding the job can, and only once. */
  async finish(id: string, workerId: string, result: JobResult, now = Date.now()): Promise<boolean> {
    // The plan first, by the worker holding the job: savedPlan() shows it only once the status
    // below says succeeded, so no reader sees a succeeded preview without its plan.
    if (result.status === "succeeded" && result.savedPlan !== undefined)
      await this.db.run(
        `UPDATE job_plans SET plan = ? WHERE job_id = ? AND mode = 'save'
           AND EXISTS (SELECT 1 FROM jobs WHERE id = ? AND worker_id = ? AND status = 'running')`,
        [result.savedPlan, id, id, workerId],
      );
    const changed = await this.db.run(
      `UPDATE jobs SET status = ?, finished_at = ?, exit_code = ?, error = ?, changes = ?, output = ?,
         output_truncated = ?, outputs = ?, worker_id = NULL, lease_expires_at = NULL
       WHERE id = ? AND worker_id = ? AND status = 'running'`,
      [
        result.status,
        now,
        result.exitCode,
        result.error,
        result.changes === null ? null : JSON.stringify(result.changes),
        result.output,
        result.outputTruncated ? 1 : 0,
        result.outputs === undefined || result.outputs === null ? null : JSON.stringify(result.outputs),
        id,
        workerId,
      ],
    );
    if (changed === 1) await this.appendEvent(id, "status", { status: result.status }, now);
    return changed === 1;
  }

  /**
   * Asks for a job to be canceled. A queued job is canceled at once; a running one is marked,
   * and its worker stops it. Returns the job as it stands, or undefined for an unknown id.
   */
  async requestCancel(id: string, now = Date.now()): Promise<Job | undefined> {
    const canceledQueued = await this.db.run(
      "UPDATE jobs SET status = 'canceled', finished_at = ?, error = 'canceled before it started' WHERE id = ? AND status = 'queued'",
      [now, id],
    );
    if (canceledQueued === 1) await this.appendEvent(id, "status", { status: "canceled" }, now);
    else await this.db.run("UPDATE jobs SET cancel_requested = 1 WHERE id = ? AND status = 'running'", [id]);
    return this.get(id);
  }

  async isCancelRequested(id: string): Promise<boolean> {
    const [row] = await this.db.query("SELECT cancel_requested FROM jobs WHERE id = ?", [id]);
    return Number(row?.cancel_requested ?? 0) === 1;
  }

  /**
   * Takes over running jobs whose worker is gone: any whose lease expired or — `all`, for a
   * database that only one service process uses (SQLite) — every running job. They stay
   * `running`, now held by `workerId`, so that no other job of their stacks starts while the
   * caller cleans up after the dead worker (its processes, the stack's lock); the caller then
   * finishes them as failed. Each is taken by one worker only.
   */
  async takeOverInterrupted(options: {
    workerId: string;
    leaseMs: number;
    all?: boolean;
    now?: number;
  }): Promise<Job[]> {
    const now = options.now ?? Date.now();
    const rows = await this.db.query(
      `UPDATE jobs SET worker_id = ?, lease_expires_at = ?
       WHERE status = 'running' AND (lease_expires_at < ? OR ? = 1)
       RETURNING *`,
      [options.workerId, now + options.leaseMs, now, options.all ? 1 : 0],
    );
    return rows.map(toJob);
  }

  async appendEvent(
    jobId: string,
    kind: string,
    data: Record<string, unknown>,
    now = Date.now(),
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.db.run(
          `INSERT INTO job_events (job_id, seq, at, kind, data)
           VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM job_events WHERE job_id = ?), ?, ?, ?)`,
          [jobId, jobId, now, kind, JSON.stringify(data)],
        );
        return;
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= MAX_RETRIES_ON_CONFLICT) throw error;
      }
    }
  }

  /** Events after sequence number `afterSeq`, in order. */
  async events(jobId: string, afterSeq = 0, limit = 1000): Promise<JobEvent[]> {
    const rows = await this.db.query(
      "SELECT * FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?",
      [jobId, afterSeq, limit],
    );
    return rows.map((r) => ({
      jobId: String(r.job_id),
      seq: Number(r.seq),
      at: Number(r.at),
      kind: String(r.kind),
      data: JSON.parse(String(r.data)) as Record<string, unknown>,
    }));
  }

  /** Runs `fn` in a transaction of its own, or in the caller's when the store is on one. */
  private atomically(fn: (db: SqlExecutor) => Promise<void>): Promise<void> {
    return "transaction" in this.db ? this.db.transaction(fn) : fn(this.db);
  }
}

function toJob(row: Row): Job {
  const status = String(row.status);
  if (!isJobStatus(status)) throw new Error(`job ${String(row.id)} has unknown status ${status}`);
  const nullableNumber = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: String(row.id),
    stack: String(row.stack),
    workload: String(row.workload),
    operation: String(row.operation) as Operation,
    status,
    createdAt: Number(row.created_at),
    startedAt: nullableNumber(row.started_at),
    finishedAt: nullableNumber(row.finished_at),
    attempt: Number(row.attempt),
    exitCode: nullableNumber(row.exit_code),
    error: row.error === null || row.error === undefined ? null : String(row.error),
    changes: row.changes ? (JSON.parse(String(row.changes)) as ChangeSummary) : null,
    output: String(row.output ?? ""),
    outputTruncated: Number(row.output_truncated) === 1,
    timeoutMs: Number(row.timeout_ms),
    cancelRequested: Number(row.cancel_requested) === 1,
    spec: row.spec ? (JSON.parse(String(row.spec)) as Record<string, unknown>) : null,
    outputs: row.outputs ? (JSON.parse(String(row.outputs)) as Record<string, unknown>) : null,
  };
}

export function isTerminal(job: Job): boolean {
  return TERMINAL_STATUSES.has(job.status);
}
