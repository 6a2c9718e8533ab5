import { pageSizeProblem } from "../../core/paging";
import { isJobStatus, isOperation, JOB_STATUSES, OPERATIONS } from "../domain/job";
import { type DeployRequest, JobServiceError, type ListQuery } from "../domain/job-service";
import type { DeployCloudResourceRequest, ListStackUpdatesRequest } from "./gen/stackwright/jobs/v1/jobs_pb";

/**
 * Turns API requests into the service's inputs. Only what the service cannot check is checked
 * here (an empty id, the shape of list filters); field names are the proto's, as callers see them.
 */

export function toDeployRequest(request: DeployCloudResourceRequest): DeployRequest {
  return {
    stack: request.stack,
    operation: request.operation,
    ...(request.timeoutSeconds !== undefined && { timeoutMs: request.timeoutSeconds * 1000 }),
    ...(request.workload !== undefined && { workload: request.workload }),
    ...(request.spec !== undefined && { spec: request.spec }),
  };
}

export function toListQuery(request: ListStackUpdatesRequest): ListQuery {
  if (request.status !== "" && !isJobStatus(request.status))
    throw invalid("status", `expected one of ${JOB_STATUSES.join(", ")}`);
  if (request.operation !== "" && !isOperation(request.operation))
    throw invalid("operation", `expected one of ${OPERATIONS.join(", ")}`);
  // page_size is a uint32 whose 0 means "not set": the service's default.
  const pageSizeWrong = request.pageSize === 0 ? undefined : pageSizeProblem(request.pageSize);
  if (pageSizeWrong !== undefined) throw invalid("page_size", `${pageSizeWrong}, or 0 for the default`);
  return {
    ...(request.stack !== "" && { stack: request.stack }),
    ...(request.workload !== "" && { workload: request.workload }),
    ...(isJobStatus(request.status) && { status: request.status }),
    ...(isOperation(request.operation) && { operation: request.operation }),
    ...(request.pageSize !== 0 && { pageSize: request.pageSize }),
    ...(request.pageToken !== "" && { pageToken: request.pageToken }),
  };
}

export function requireId(id: string): string {
  if (id.trim() === "") throw invalid("id", "required");
  return id;
}

function invalid(field: string, message: string): JobServiceError {
  return new JobServiceError("invalid_argument", field, message);
}
