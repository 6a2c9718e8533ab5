import type { Job, JobEvent, JobStatus, Operation } from "./job";

/**
 * What the job service offers, independent of transport: the API layer (gRPC and HTTP/JSON)
 * and in-process callers (tests, benchmarks) use only this.
 */
export interface JobService {
  /** Validates and queues a job; returns at once with the queued job. */
  deploy(request: DeployRequest): Promise<Job>;
  /** Throws `JobServiceError` with code `not_found` for an unknown id. */
  get(id: string): Promise<Job>;
  /** Newest first. */
  list(query: ListQuery): Promise<JobPage>;
  /** Cancels a queued job at once, asks a running one to stop; a finished job is returned as it is. */
  cancel(id: string): Promise<Job>;
  /**
   * The job's events after `afterSeq` (status changes have kind `status`), in order, live, until
   * the event that makes the job terminal has been yielded or `signal` aborts.
   */
  watch(id: string, afterSeq: number, signal?: AbortSignal): AsyncIterable<JobEvent>;
}

export interface DeployRequest {
  /** A registered stack, `org/project/stack`. */
  readonly stack: string;
  /** When given, must be the stack's workload (a check against deploying the wrong thing). */
  readonly workload?: string;
  /**
   * For a stack whose workload is a component request: this job's component inputs, replacing
   * the registered spec. Validated against the component's schema.
   */
  readonly spec?: Record<string, unknown>;
  /** Checked by the service: one of OPERATIONS. */
  readonly operation: string;
  /** Overrides the stack's timeout; milliseconds. */
  readonly timeoutMs?: number;
}

export interface ListQuery {
  readonly stack?: string;
  readonly workload?: string;
  readonly status?: JobStatus;
  readonly operation?: Operation;
  /** 1..100; default 20. */
  readonly pageSize?: number;
  /** `nextPageToken` of the previous page. */
  readonly pageToken?: string;
}

export interface JobPage {
  readonly jobs: readonly Job[];
  /** Empty when this is the last page. */
  readonly nextPageToken: string;
}

export type JobServiceErrorCode = "invalid_argument" | "not_found";

/** A request the service refuses; `field` names the offending request field. */
export class JobServiceError extends Error {
  constructor(
    readonly code: JobServiceErrorCode,
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "JobServiceError";
  }
}
