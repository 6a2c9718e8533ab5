import assert from "node:assert/strict";
import { EventEmitter, once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { Code, ConnectError } from "@connectrpc/connect";
import type { StackUpdateEvent } from "../../src/jobs/api/gen/stackwright/jobs/v1/jobs_pb";
import {
  isOperation,
  type Job,
  type JobEvent,
  type JobStatus,
  OPERATIONS,
  TERMINAL_STATUSES,
} from "../../src/jobs/domain/job";
import {
  type DeployRequest,
  type JobPage,
  type JobService,
  JobServiceError,
  type ListQuery,
} from "../../src/jobs/domain/job-service";

/**
 * What the job API's tests share: an in-memory JobService to serve, its stacks, the token, and
 * helpers to collect a watch and check a refusal.
 */

export const TOKEN = "test-token-5f0c2a9e7d41b3c8";
export const WRONG_TOKEN = "wrong-token-9a8b7c6d5e4f3a2b";
export const TRANSPORTS = ["grpc", "connect-json"] as const;
export const SERVICE_PATH = "/stackwright.jobs.v1.StackJobs";

/**
 * What the fake's jobs do once deployed, by stack: `ok` runs two resources and succeeds, `bad`
 * fails, `idle` stays queued until canceled (its watch never ends on its own).
 */
const STACKS: Record<string, "ok" | "bad" | "idle"> = {
  "acme/app/ok": "ok",
  "acme/app/bad": "bad",
  "acme/app/idle": "idle",
};

/** An in-memory JobService: enough behaviour to exercise the transport, and a record of calls. */
export class FakeJobService implements JobService {
  readonly calls: string[] = [];
  /** Watches whose iterator has not finished: shows the API stops the service's iterator. */
  openWatches = 0;
  private readonly jobs = new Map<string, Job>();
  private readonly events = new Map<string, JobEvent[]>();
  private readonly changed = new EventEmitter().setMaxListeners(0);
  private created = 1_700_000_000_000;

  async deploy(request: DeployRequest): Promise<Job> {
    this.calls.push("deploy");
    const behaviour = STACKS[request.stack];
    if (behaviour === undefined)
      throw new JobServiceError("invalid_argument", "stack", `no stack "${request.stack}" is registered`);
    if (!isOperation(request.operation))
      throw new JobServiceError("invalid_argument", "operation", `expected one of ${OPERATIONS.join(", ")}`);
    this.created += 1000;
    const job: Job = {
      id: `job-${this.jobs.size + 1}`,
      stack: request.stack,
      workload: "app",
      operation: request.operation,
      status: "queued",
      createdAt: this.created,
      startedAt: null,
      finishedAt: null,
      attempt: 0,
      exitCode: null,
      error: null,
      changes: null,
      output: "",
      outputTruncated: false,
      timeoutMs: request.timeoutMs ?? 600_000,
      cancelRequested: false,
      spec: request.spec ?? null,
      outputs: null,
    };
    this.jobs.set(job.id, job);
    this.record(job.id, "status", { status: "queued" });
    if (behaviour !== "idle") void this.run(job.id, behaviour === "ok");
    return job;
  }

  async get(id: string): Promise<Job> {
    this.calls.push("get");
    return this.job(id);
  }

  async list(query: ListQuery): Promise<JobPage> {
    this.calls.push("list");
    const offset = query.pageToken === undefined ? 0 : Number(query.pageToken);
    if (!Number.isInteger(offset))
      throw new JobServiceError("invalid_argument", "page_token", "not a page token");
    const size = query.pageSize ?? 20;
    const matching = [...this.jobs.values()]
      .filter(
        (j) =>
          (query.stack === undefined || j.stack === query.stack) &&
          (query.workload === undefined || j.workload === query.workload) &&
          (query.status === undefined || j.status === query.status) &&
          (query.operation === undefined || j.operation === query.operation),
      )
      .sort((a, b) => b.createdAt - a.createdAt);
    const jobs = matching.slice(offset, offset + size);
    return { jobs, nextPageToken: offset + size < matching.length ? String(offset + size) : "" };
  }

  async cancel(id: string): Promise<Job> {
    this.calls.push("cancel");
    const job = this.job(id);
    if (TERMINAL_STATUSES.has(job.status)) return job;
    this.update(id, { status: "canceled", cancelRequested: true, finishedAt: Date.now() });
    return this.job(id);
  }

  async *watch(id: string, afterSeq: number, signal?: AbortSignal): AsyncIterable<JobEvent> {
    this.calls.push("watch");
    this.job(id);
    this.openWatches++;
    try {
      let seq = afterSeq;
      for (;;) {
        const events = this.events.get(id) ?? [];
        while (seq < events.length) {
          const event = events[seq++] as JobEvent;
          yield event;
          if (event.kind === "status" && TERMINAL_STATUSES.has(event.data.status as JobStatus)) return;
        }
        if (signal?.aborted || TERMINAL_STATUSES.has(this.job(id).status)) return;
        // Deliberately deaf to `signal` while waiting: the API must not depend on the service noticing.
        await once(this.changed, id);
      }
    } finally {
      this.openWatches--;
    }
  }

  private async run(id: string, succeed: boolean): Promise<void> {
    const step = async () => sleep(5);
    await step();
    this.update(id, { status: "running", startedAt: Date.now(), attempt: 1 });
    for (const name of ["a", "b"]) {
      await step();
      this.record(id, "resourcePreEvent", { urn: urn(name), type: "test:index:Thing", op: "create" });
    }
    await step();
    this.record(id, "diagnosticEvent", { severity: "info", message: "working" });
    this.record(id, "resOutputsEvent", { urn: urn("a"), type: "test:index:Thing", op: "create" });
    await step();
    // The engine's own shape: the URN under metadata.
    this.record(id, "resOutputsEvent", {
      metadata: { urn: urn("b"), type: "test:index:Thing", op: "create" },
    });
    await step();
    this.update(
      id,
      succeed
        ? {
            status: "succeeded",
            exitCode: 0,
            changes: { create: 2 },
            output: "done\n",
            finishedAt: Date.now(),
          }
        : {
            // As a job stored by an older service: with the engine's terminal escapes.
            status: "failed",
            exitCode: 1,
            error: "\u001b[31mthe database refused: boom\u001b[0m",
            output: "\u001b[1mworking\u001b[0m\r\n\u001b]0;title\u0007done\n",
            finishedAt: Date.now(),
          },
    );
  }

  private update(id: string, fields: Partial<Job>): void {
    this.jobs.set(id, { ...this.job(id), ...fields });
    if (fields.status !== undefined) this.record(id, "status", { status: fields.status });
  }

  private record(jobId: string, kind: string, data: Record<string, unknown>): void {
    const events = this.events.get(jobId) ?? [];
    events.push({ jobId, seq: events.length + 1, at: Date.now(), kind, data });
    this.events.set(jobId, events);
    this.changed.emit(jobId);
  }

  private job(id: string): Job {
    const job = this.jobs.get(id);
    if (job === undefined) throw new JobServiceError("not_found", "id", `no job "${id}"`);
    return job;
  }
}

export function urn(name: string): string {
  return `urn:pulumi:dev::app::test:index:Thing::${name}`;
}

export async function collect(stream: AsyncIterable<StackUpdateEvent>): Promise<StackUpdateEvent[]> {
  const events: StackUpdateEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

export async function rejectsWith(
  call: Promise<unknown>,
  code: Code,
  message?: RegExp,
): Promise<ConnectError> {
  try {
    await call;
  } catch (error) {
    const connectError = ConnectError.from(error);
    assert.equal(Code[connectError.code], Code[code], connectError.message);
    if (message) assert.match(connectError.rawMessage, message);
    return connectError;
  }
  assert.fail(`expected ${Code[code]}`);
}

/** Polls `condition` for up to 15 s of wall time (a loaded 2-core machine is slow to notice a disconnect). */
export async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A Connect unary call as plain HTTP with JSON; `null`: no Authorization header. */
export function postJson(baseUrl: string, method: string, body: string, token: string | null = TOKEN) {
  return fetch(`${baseUrl}${SERVICE_PATH}/${method}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token !== null && { authorization: `Bearer ${token}` }),
    },
    body,
  });
}
