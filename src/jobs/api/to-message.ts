import { create, type JsonObject } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { isJobStatus, type Job, type JobEvent } from "../domain/job";
import {
  JobStatus,
  type StackUpdate,
  type StackUpdateEvent,
  StackUpdateEventSchema,
  StackUpdateSchema,
} from "./gen/stackwright/jobs/v1/jobs_pb";
import { toProtoJobStatus, toProtoOperation } from "./proto-enums";

/** A job as the API shows it. */
export function toStackUpdate(job: Job): StackUpdate {
  return create(StackUpdateSchema, {
    id: job.id,
    stack: job.stack,
    workload: job.workload,
    operation: toProtoOperation(job.operation),
    status: toProtoJobStatus(job.status),
    createdAt: timestampFromMs(job.createdAt),
    startedAt: job.startedAt === null ? undefined : timestampFromMs(job.startedAt),
    finishedAt: job.finishedAt === null ? undefined : timestampFromMs(job.finishedAt),
    attempt: job.attempt,
    exitCode: job.exitCode ?? undefined,
    error: job.error ?? undefined,
    changes: Object.fromEntries(Object.entries(job.changes ?? {}).map(([kind, n]) => [kind, BigInt(n)])),
    output: job.output,
    outputTruncated: job.outputTruncated,
    timeoutMs: job.timeoutMs,
    cancelRequested: job.cancelRequested,
    spec: job.spec === null ? undefined : toJsonObject(job.spec),
  });
}

export function toStackUpdateEvent(event: JobEvent): StackUpdateEvent {
  const data = toJsonObject(event.data);
  return create(StackUpdateEventSchema, {
    jobId: event.jobId,
    seq: event.seq,
    at: timestampFromMs(event.at),
    kind: event.kind,
    data,
    status:
      event.kind === "status" && typeof data.status === "string" && isJobStatus(data.status)
        ? toProtoJobStatus(data.status)
        : JobStatus.UNSPECIFIED,
  });
}

/**
 * Event data and specs are plain objects by contract, but a stray `undefined`, Date or class
 * instance would make Struct encoding throw mid-stream; a JSON round trip turns them into what a
 * JSON client would have seen anyway.
 */
export function toJsonObject(value: Record<string, unknown>): JsonObject {
  const json: unknown = JSON.parse(JSON.stringify(value));
  return json !== null && typeof json === "object" && !Array.isArray(json) ? (json as JsonObject) : {};
}
