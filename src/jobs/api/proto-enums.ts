import type { DescEnum } from "@bufbuild/protobuf";
import { JOB_STATUSES, type JobStatus, OPERATIONS, type Operation } from "../domain/job";
import { JobStatus as ProtoJobStatus, Operation as ProtoOperation } from "./gen/stackwright/jobs/v1/jobs_pb";

/**
 * The one place where the service's vocabulary (strings, as the store and the engine know them)
 * meets the API's enums. Each table is total over the domain's union, so a value added to
 * OPERATIONS or JOB_STATUSES does not compile until it has an enum value; the reverse lookups are
 * derived from the same tables.
 */

const PROTO_OPERATIONS: Readonly<Record<Operation, ProtoOperation>> = {
  preview: ProtoOperation.PREVIEW,
  up: ProtoOperation.UP,
  refresh: ProtoOperation.REFRESH,
  destroy: ProtoOperation.DESTROY,
};

const PROTO_JOB_STATUSES: Readonly<Record<JobStatus, ProtoJobStatus>> = {
  queued: ProtoJobStatus.QUEUED,
  running: ProtoJobStatus.RUNNING,
  succeeded: ProtoJobStatus.SUCCEEDED,
  failed: ProtoJobStatus.FAILED,
  canceled: ProtoJobStatus.CANCELED,
  timed_out: ProtoJobStatus.TIMED_OUT,
};

const OPERATIONS_BY_PROTO = new Map(OPERATIONS.map((op) => [PROTO_OPERATIONS[op], op]));
const JOB_STATUSES_BY_PROTO = new Map(JOB_STATUSES.map((status) => [PROTO_JOB_STATUSES[status], status]));

export function toProtoOperation(operation: Operation): ProtoOperation {
  return PROTO_OPERATIONS[operation];
}

export function toProtoJobStatus(status: JobStatus): ProtoJobStatus {
  return PROTO_JOB_STATUSES[status];
}

/**
 * Undefined for UNSPECIFIED and for a number this version does not know: proto3 enums are open,
 * so a newer peer's value arrives as a bare number.
 */
export function fromProtoOperation(operation: ProtoOperation): Operation | undefined {
  return OPERATIONS_BY_PROTO.get(operation);
}

export function fromProtoJobStatus(status: ProtoJobStatus): JobStatus | undefined {
  return JOB_STATUSES_BY_PROTO.get(status);
}

/** What a request may say for an enum field, by the names JSON clients write. */
export function expectedEnumValues(schema: DescEnum): string {
  const names = schema.values.filter((value) => value.number !== 0).map((value) => value.name);
  return `expected one of ${names.join(", ")}`;
}
