import { holdsRole, ROLE_TITLES, type Role } from "../../catalog/permissions";
import type { Caller } from "../domain/caller";
import { PlatformError } from "../domain/platform-error";

/** The service's bound on a decision's comment. */
export const MAX_DECISION_COMMENT = 2000;

/**
 * Who may decide on a pending approval, for deployments and upgrade batches alike: someone with
 * the approver role in the tenant who did not start what is to be approved. Refusals name `field`.
 */
export function checkDecider(
  caller: Caller,
  request: {
    readonly tenantId: string;
    readonly approverRole: Role;
    readonly startedBy: string;
    readonly decision: "approved" | "rejected";
    readonly field: string;
    /** What was started, as the refusal says it: `deployment`, `upgrade batch`. */
    readonly what: string;
  },
): void {
  if (!holdsRole(caller.principal, request.approverRole, request.tenantId))
    throw PlatformError.of(
      "permission_denied",
      request.field,
      `${request.decision === "approved" ? "approving" : "rejecting"} needs the ${ROLE_TITLES[request.approverRole]} role in the tenant`,
    );
  if (caller.actor === request.startedBy)
    throw PlatformError.of(
      "permission_denied",
      request.field,
      `you started this ${request.what}: someone else must approve or reject it`,
    );
}

/** A decision's comment as kept: none when empty; refused when too long. */
export function decisionComment(comment: string | undefined): string | null {
  const kept = typeof comment === "string" && comment !== "" ? comment : null;
  if (kept !== null && kept.length > MAX_DECISION_COMMENT)
    throw PlatformError.of("invalid_argument", "comment", "at most 2,000 characters");
  return kept;
}
