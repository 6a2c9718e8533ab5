import { StackwrightInputError } from "../../core/errors";
import { DEFAULT_PAGE_SIZE, pageSizeProblem } from "../../core/paging";
import type { ServiceConfig } from "../config/service-config";
import { isOperation, type Job, type JobEvent, TERMINAL_STATUSES } from "../domain/job";
import type { JobRunners } from "../domain/job-runners";
import {
  type DeployRequest,
  type JobPage,
  type JobService,
  JobServiceError,
  type ListQuery,
} from "../domain/job-service";
import type { LocalJobNotifier } from "../store/job-notifier";
import type { JobStore } from "../store/job-store";
import type { Workloads } from "../workspace/workloads";

/** Longest wait between two looks at the database while watching: bounds the latency of changes made by other processes. */
const WATCH_POLL_MS = 250;
const MAX_TIMEOUT_MS = 24 * 60 * 60_000;
/**
 * The store records a job's end, then its status event: two statements. A watcher that looks in
 * between finds the job over and its last event missing; it waits this long for the event (its
 * writer may have died in between, so not forever).
 */
const FINAL_EVENT_GRACE_MS = 2000;

/** The job service over a store and, when this process runs jobs, its worker pool. */
export class StackJobService implements JobService {
  private runners: JobRunners | undefined;

  constructor(
    private readonly store: JobStore,
    private readonly events: LocalJobNotifier,
    private readonly config: ServiceConfig,
    private readonly workloads: Workloads,
  ) {}

  /** This process's workers, once they run; jobs queued before are found by their first look. */
  attach(runners: JobRunners): void {
    this.runners = runners;
  }

  async deploy(request: DeployRequest): Promise<Job> {
    const stack = this.config.stacks.get(request.stack);
    if (!request.stack)
      throw new JobServiceError("invalid_argument", "stack", "is required: org/project/stack");
    if (!stack) {
      const known = [...this.config.stacks.keys()].sort().join(", ") || "none";
      throw new JobServiceError(
        "not_found",
        "stack",
        `no stack '${request.stack}' is registered (registered: ${known})`,
      );
    }
    if (request.workload !== undefined && request.workload !== "") {
      if (!this.config.workloads.has(request.workload))
        throw new JobServiceError("not_found", "workload", `no workload '${request.workload}' is registered`);
      if (request.workload !== stack.workload)
        throw new JobServiceError(
          "invalid_argument",
          "workload",
          `stack '${stack.name}' deploys workload '${stack.workload}', not '${request.workload}'`,
        );
    }
    if (!isOperation(request.operation))
      throw new JobServiceError(
        "invalid_argument",
        "operation",
        `'${request.operation}' is not an operation; expected preview, up, refresh or destroy`,
      );
    const timeoutMs = request.timeoutMs ?? stack.timeoutMs ?? this.config.defaultTimeoutMs;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS)
      throw new JobServiceError("invalid_argument", "timeout_seconds", "expected 1 second to 24 hours");
    if (request.spec !== undefined) {
      if (!this.workloads.isComponent(stack.workload))
        throw new JobServiceError(
          "invalid_argument",
          "spec",
          `stack '${stack.name}' deploys a project directory, which takes no spec`,
        );
      try {
        this.workloads.checkSpec(stack.workload, request.spec);
      } catch (error) {
        if (!(error instanceof StackwrightInputError)) throw error;
        const first = error.problems[0];
        throw new JobServiceError(
          "invalid_argument",
          first?.at ?? "spec",
          error.problems.map((p, i) => (i === 0 ? p.message : `${p.at}: ${p.message}`)).join("; "),
        );
      }
    }
    const job = await this.store.create({
      stack: stack.name,
      workload: stack.workload,
      operation: request.operation,
      timeoutMs,
      ...(request.spec !== undefined && { spec: request.spec }),
    });
    this.runners?.wake();
    return job;
  }

  async get(id: string): Promise<Job> {
    const job = id ? await this.store.get(id) : undefined;
    if (!job) throw new JobServiceError("not_found", "id", `no job '${id}'`);
    return job;
  }

  async list(query: ListQuery): Promise<JobPage> {
    const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
    const pageSizeWrong = pageSizeProblem(pageSize);
    if (pageSizeWrong !== undefined)
      throw new JobServiceError("invalid_argument", "page_size", pageSizeWrong);
    if (query.pageToken && !(await this.store.get(query.pageToken)))
      throw new JobServiceError("invalid_argument", "page_token", "not a token from a previous page");
    // One more than asked tells whether there is a next page.
    const jobs = await this.store.list({
      ...(query.stack && { stack: query.stack }),
      ...(query.workload && { workload: query.workload }),
      ...(query.status && { status: query.status }),
      ...(query.operation && { operation: query.operation }),
      ...(query.pageToken && { before: query.pageToken }),
      limit: pageSize + 1,
    });
    const page = jobs.slice(0, pageSize);
    return { jobs: page, nextPageToken: jobs.length > pageSize ? (page.at(-1)?.id ?? "") : "" };
  }

  async cancel(id: string): Promise<Job> {
    const job = id ? await this.store.requestCancel(id) : undefined;
    if (!job) throw new JobServiceError("not_found", "id", `no job '${id}'`);
    this.events.notify(id);
    if (job.status === "running") this.runners?.stop(id, "canceled");
    return job;
  }

  async *watch(id: string, afterSeq: number, signal?: AbortSignal): AsyncIterable<JobEvent> {
    await this.get(id);
    const changes = this.events.subscribe(id);
    try {
      let seq = afterSeq;
      while (!signal?.aborted) {
        const batch = await this.store.events(id, seq);
        for (const event of batch) {
          yield event;
          seq = event.seq;
          if (event.kind === "status" && TERMINAL_STATUSES.has(event.data.status as Job["status"])) return;
        }
        if (batch.length === 0) {
          // A job that ended before `afterSeq` has nothing more to say.
          const job = await this.get(id);
          if (
            TERMINAL_STATUSES.has(job.status) &&
            Date.now() - (job.finishedAt ?? 0) > FINAL_EVENT_GRACE_MS &&
            (await this.store.events(id, seq)).length === 0
          )
            return;
          await changes.wait(WATCH_POLL_MS, signal);
        }
      }
    } finally {
      changes.close();
    }
  }
}
