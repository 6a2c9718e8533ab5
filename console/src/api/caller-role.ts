import { Code, ConnectError } from "@connectrpc/connect";
import type { PlatformClients } from "./clients";
import { Role } from "./platform";

/**
 * The role the caller holds in `tenant`, so that a page can leave out what the server would refuse
 * (the server still decides). The caller's user is the owner of their own tokens; their role, that
 * user's membership. A caller who sees the tenant without a membership in it is a Provider Admin,
 * and so is the operator's service token, which has no user (ListTokens asks it to name one).
 */
export async function callerRole(
  clients: PlatformClients,
  tenant: string,
  signal: AbortSignal,
): Promise<Role> {
  let userId: string;
  try {
    const { tokens } = await clients.governance.listTokens({}, { signal });
    userId = tokens[0]?.userId ?? "";
  } catch (error) {
    if (ConnectError.from(error).code === Code.InvalidArgument) return Role.PROVIDER_ADMIN;
    throw error;
  }
  const { memberships } = await clients.governance.listMemberships({ tenant }, { signal });
  return memberships.find((m) => m.userId === userId)?.role ?? Role.PROVIDER_ADMIN;
}

/** Whether `held` is `needed` or above it: each role holds everything the ones below it hold. */
export function atLeast(held: Role | undefined, needed: Role): boolean {
  return held !== undefined && held >= needed;
}
