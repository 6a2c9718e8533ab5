import { Code, ConnectError } from "@connectrpc/connect";
import { JobServiceError } from "../domain/job-service";
import { PlatformError, type PlatformErrorCode } from "../domain/platform-error";

const CODES = { invalid_argument: Code.InvalidArgument, not_found: Code.NotFound } as const;
const PLATFORM_CODES: Readonly<Record<PlatformErrorCode, Code>> = {
  invalid_argument: Code.InvalidArgument,
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
  permission_denied: Code.PermissionDenied,
  unauthenticated: Code.Unauthenticated,
  failed_precondition: Code.FailedPrecondition,
  resource_exhausted: Code.ResourceExhausted,
};

/**
 * The error an RPC answers with. Anything the service did not mean for the caller becomes a bare
 * Internal: its message may describe the database or the host, which callers have no business
 * reading; `onInternal` gets the original for the operator's log.
 */
export function toConnectError(error: unknown, onInternal: (error: unknown) => void): ConnectError {
  if (error instanceof ConnectError) return error;
  if (error instanceof JobServiceError) return new ConnectError(error.message, CODES[error.code]);
  // Every problem, one per line, each starting with the field it is about.
  if (error instanceof PlatformError) return new ConnectError(error.message, PLATFORM_CODES[error.code]);
  onInternal(error);
  return new ConnectError("internal error", Code.Internal);
}
