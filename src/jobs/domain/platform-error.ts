import type { Problem } from "../../core/errors";

export type PlatformErrorCode =
  | "invalid_argument"
  | "not_found"
  | "already_exists"
  | "permission_denied"
  | "unauthenticated"
  | "failed_precondition"
  | "resource_exhausted";

/**
 * A request the platform refuses, with every problem found, each naming its field. A record in
 * another tenant is `not_found`, never `permission_denied`: a tenant cannot learn what another
 * tenant has by asking for it.
 */
export class PlatformError extends Error {
  constructor(
    readonly code: PlatformErrorCode,
    readonly problems: readonly Problem[],
  ) {
    super(problems.map((p) => `${p.at}: ${p.message}`).join("\n"));
    this.name = "PlatformError";
  }

  static of(code: PlatformErrorCode, at: string, message: string): PlatformError {
    return new PlatformError(code, [{ at, message }]);
  }

  static invalid(problems: readonly Problem[]): PlatformError {
    return new PlatformError("invalid_argument", problems);
  }
}
