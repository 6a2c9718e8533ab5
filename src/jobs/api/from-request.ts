import type { DescEnum } from "@bufbuild/protobuf";
import { pageSizeProblem } from "../../core/paging";
import { type DeployRequest, JobServiceError, type ListQuery } from "../domain/job-service";
import {
  type DeployCloudResourceRequest,
  JobStatus,
  JobStatusSchema,
  type ListStackUpdatesRequest,
  Operation,
  OperationSchema,
} from "./gen/stackwright/jobs/v1/jobs_pb";
import { expectedEnumValues, fromProtoJobStatus, fromProtoOperation } from "./proto-enums";

/**
 * Turns API requests into the service's inputs. Only what the service cannot check is checked
 * here (an empty id, enum values, the shape of list filters); field names are the proto's, as
 * callers see them.
 */

export function toDeployRequest(request: DeployCloudResourceRequest): DeployRequest {
  return {
    stack: request.stack,
    operation: known(fromProtoOperation(request.operation), "operation", OperationSchema),
    ...(request.timeoutSeconds !== undefined && { timeoutMs: request.timeoutSeconds * 1000 }),
    ...(request.workload !== undefined && { workload: request.workload }),
    ...(request.spec !== undefined && { spec: request.spec }),
  };
}

export function toListQuery(request: ListStackUpdatesRequest): ListQuery {
  // A filter left UNSPECIFIED matches any value, as an empty string does for `stack`.
  const status =
    request.status === JobStatus.UNSPECIFIED
      ? undefined
      : known(fromProtoJobStatus(request.status), "status", JobStatusSchema);
  const operation =
    request.operation === Operation.UNSPECIFIED
      ? undefined
      : known(fromProtoOperation(request.operation), "operation", OperationSchema);
  // page_size is a uint32 whose 0 means "not set": the service's default.
  const pageSizeWrong = request.pageSize === 0 ? undefined : pageSizeProblem(request.pageSize);
  if (pageSizeWrong !== undefined) throw invalid("page_size", `${pageSizeWrong}, or 0 for the default`);
  return {
    ...(request.stack !== "" && { stack: request.stack }),
    ...(request.workload !== "" && { workload: request.workload }),
    ...(status !== undefined && { status }),
    ...(operation !== undefined && { operation }),
    ...(request.pageSize !== 0 && { pageSize: request.pageSize }),
    ...(request.pageToken !== "" && { pageToken: request.pageToken }),
  };
}

export function requireId(id: string): string {
  if (id.trim() === "") throw invalid("id", "required");
  return id;
}

/** An enum field's domain value, or invalid_argument naming the field and what it may be. */
function known<T>(value: T | undefined, field: string, schema: DescEnum): T {
  if (value === undefined) throw invalid(field, expectedEnumValues(schema));
  return value;
}

function invalid(field: string, message: string): JobServiceError {
  return new JobServiceError("invalid_argument", field, message);
}
