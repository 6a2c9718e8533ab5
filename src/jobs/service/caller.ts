import { isAllowed, type Permission } from "../../catalog/permissions";
import type { Caller } from "../domain/caller";
import { PlatformError } from "../domain/platform-error";

/**
 * Refuses unless `caller` holds `permission` in `tenantId`. A caller with no role in the tenant
 * learns nothing of it: they get not_found for `subject`, as if it did not exist.
 */
export function requirePermission(
  caller: Caller,
  permission: Permission,
  tenantId: string,
  subject: { at: string; name: string },
): void {
  if (isAllowed(caller.principal, permission, tenantId)) return;
  if (!caller.principal.providerAdmin && !caller.principal.memberships.has(tenantId))
    throw PlatformError.of("not_found", subject.at, `no ${subject.name} found`);
  throw PlatformError.of("permission_denied", subject.at, `needs ${permission}`);
}

export function requireProviderAdmin(caller: Caller, at: string): void {
  if (!caller.principal.providerAdmin)
    throw PlatformError.of("permission_denied", at, "needs Provider Admin");
}
