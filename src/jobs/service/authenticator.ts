import { timingSafeEqual } from "node:crypto";
import type { Role } from "../../catalog/permissions";
import { type Caller, SERVICE_CALLER } from "../domain/caller";
import { PlatformError } from "../domain/platform-error";
import { looksLikeUserToken, readUserToken, sameHash } from "../secrets/user-tokens";
import type { SqlExecutor } from "../store/sql-database";
import { TenancyStore } from "../store/tenancy-store";

const REFUSED = "the token is not valid: unknown, revoked or expired";

/**
 * Turns a presented bearer token into a Caller: the service's own token (the operator's), or a
 * user's token, which must exist, be unrevoked and unexpired. Every refusal reads the same, so
 * a caller cannot tell a revoked token from one that never existed.
 */
export class Authenticator {
  constructor(
    private readonly db: SqlExecutor,
    /** The service's own tokens, read when asked, so a rotated token counts at once. */
    private readonly serviceTokens: () => readonly string[],
  ) {}

  async authenticate(token: string | undefined, now = Date.now()): Promise<Caller> {
    if (token === undefined || token === "")
      throw PlatformError.of("unauthenticated", "authorization", "send a bearer token");
    if (!looksLikeUserToken(token)) {
      if (this.serviceTokens().some((t) => equalText(t, token))) return SERVICE_CALLER;
      throw PlatformError.of("unauthenticated", "authorization", REFUSED);
    }
    const claimed = readUserToken(token);
    const tenancy = new TenancyStore(this.db);
    const record = claimed && (await tenancy.token(claimed.id));
    const storedHash = claimed && (await tenancy.tokenSecretHash(claimed.id));
    if (
      claimed === undefined ||
      record === undefined ||
      storedHash === undefined ||
      !sameHash(storedHash, claimed.secretHash) ||
      record.revokedAt !== null ||
      (record.expiresAt !== null && record.expiresAt <= now)
    )
      throw PlatformError.of("unauthenticated", "authorization", REFUSED);
    const user = await tenancy.user(record.userId);
    if (user === undefined) throw PlatformError.of("unauthenticated", "authorization", REFUSED);
    const memberships = new Map<string, Role>(
      (await tenancy.membershipsOfUser(user.id)).map((m) => [m.tenantId, m.role]),
    );
    return {
      actor: user.name,
      principal: { userId: user.id, memberships, providerAdmin: user.providerAdmin },
    };
  }
}

function equalText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
