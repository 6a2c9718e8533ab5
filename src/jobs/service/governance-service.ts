import { readConstraint } from "../../catalog/constraints";
import { nameProblem } from "../../catalog/names";
import { isRole, type Role } from "../../catalog/permissions";
import type { Problem } from "../../core/errors";
import type { Caller } from "../domain/caller";
import type { ConstraintRecord } from "../domain/catalogue";
import type { GovernanceContract } from "../domain/platform-contracts";
import { PlatformError } from "../domain/platform-error";
import type { ApiTokenInfo, AuditEntry, Membership, Tenant, User } from "../domain/tenancy";
import { issueUserToken } from "../secrets/user-tokens";
import { AuditLog } from "../store/audit-log";
import { CatalogueStore } from "../store/catalogue-store";
import { isUniqueViolation, type SqlDatabase, type SqlTransaction } from "../store/sql-database";
import { TenancyStore } from "../store/tenancy-store";
import { auditedChange, type ChangeOutcome } from "./audited-change";
import { requirePermission, requireProviderAdmin } from "./caller";

/** The longest a token may live, and how long one lives when its creator does not say. */
export const MAX_TOKEN_DAYS = 366;
export const DEFAULT_TOKEN_DAYS = 90;
const DAY_MS = 86_400_000;
const MAX_AUDIT_PAGE = 500;

/**
 * Tenants, users, memberships, tokens, constraints and the audit log: who may do what, and the
 * record of what they did. Every change is written with its audit entry in one transaction.
 */
export class GovernanceService implements GovernanceContract {
  constructor(private readonly db: SqlDatabase) {}

  async createTenant(caller: Caller, request: { name: string; displayName?: string }): Promise<Tenant> {
    requireProviderAdmin(caller, "tenant");
    check([nameProblem(request.name, "name")]);
    return this.change(caller, null, "tenant.create", async (tx) => {
      const tenant = await unique(
        () => new TenancyStore(tx).createTenant(request.name, request.displayName || request.name),
        "name",
        `tenant ${request.name} exists`,
      );
      return { result: tenant, target: `tenant:${tenant.id}`, tenantId: tenant.id, after: { ...tenant } };
    });
  }

  /** Every tenant for a Provider Admin; a member's own tenants for anyone else. */
  async listTenants(caller: Caller): Promise<Tenant[]> {
    const tenancy = new TenancyStore(this.db);
    return caller.principal.providerAdmin
      ? tenancy.tenants()
      : tenancy.tenants([...caller.principal.memberships.keys()]);
  }

  async createUser(caller: Caller, request: { name: string; providerAdmin?: boolean }): Promise<User> {
    requireProviderAdmin(caller, "user");
    check([nameProblem(request.name, "name")]);
    return this.change(caller, null, "user.create", async (tx) => {
      const user = await unique(
        () => new TenancyStore(tx).createUser(request.name, request.providerAdmin === true),
        "name",
        `user ${request.name} exists`,
      );
      return { result: user, target: `user:${user.id}`, after: { ...user } };
    });
  }

  async listUsers(caller: Caller): Promise<User[]> {
    requireProviderAdmin(caller, "user");
    return new TenancyStore(this.db).users();
  }

  /**
   * Gives a user a role in a tenant. A Provider Admin may do it anywhere; a Tenant Admin in their
   * own tenant. Provider Admin is not a tenant role: it is given when the user is created.
   */
  async setMembership(
    caller: Caller,
    request: { tenant: string; user: string; role: string },
  ): Promise<Membership> {
    const tenant = await this.tenantFor(caller, request.tenant, "tenant");
    requireTenantAdmin(caller, tenant.id);
    if (!isRole(request.role) || request.role === "provider-admin")
      throw PlatformError.of("invalid_argument", "role", "expected one of read-only, user, tenant-admin");
    const user = await new TenancyStore(this.db).user(request.user);
    if (user === undefined) throw PlatformError.of("not_found", "user", `no user ${request.user}`);
    const role: Role = request.role;
    return this.change(caller, tenant.id, "membership.set", async (tx) => {
      const store = new TenancyStore(tx);
      const before = await store.membership(tenant.id, user.id);
      const after = await store.setMembership(tenant.id, user.id, role);
      return {
        result: after,
        target: `user:${user.id}`,
        before: before ? { ...before } : null,
        after: { ...after },
      };
    });
  }

  async removeMembership(caller: Caller, request: { tenant: string; user: string }): Promise<void> {
    const tenant = await this.tenantFor(caller, request.tenant, "tenant");
    requireTenantAdmin(caller, tenant.id);
    const user = await new TenancyStore(this.db).user(request.user);
    const existing = user && (await new TenancyStore(this.db).membership(tenant.id, user.id));
    if (user === undefined || existing === undefined)
      throw PlatformError.of("not_found", "user", `${request.user} is not a member of ${tenant.name}`);
    await this.change(caller, tenant.id, "membership.remove", async (tx) => {
      await new TenancyStore(tx).removeMembership(tenant.id, user.id);
      return { result: undefined, target: `user:${user.id}`, before: { ...existing } };
    });
  }

  async memberships(caller: Caller, tenantRef: string): Promise<Membership[]> {
    const tenant = await this.tenantFor(caller, tenantRef, "tenant");
    requirePermission(caller, "pulumi:template:read", tenant.id, { at: "tenant", name: "tenant" });
    return new TenancyStore(this.db).membershipsOfTenant(tenant.id);
  }

  /**
   * Issues a token for `user` (the caller themselves unless a Provider Admin names another) and
   * returns its text, which is shown this once and never stored.
   */
  async issueToken(
    caller: Caller,
    request: { user?: string; name: string; expiresInDays?: number },
  ): Promise<{ token: string; info: ApiTokenInfo }> {
    const userId = await this.tokenOwner(caller, request.user);
    const days = request.expiresInDays ?? DEFAULT_TOKEN_DAYS;
    const problems: Problem[] = [];
    if (typeof request.name !== "string" || request.name.trim() === "" || request.name.length > 100)
      problems.push({
        at: "name",
        message: "expected a name of 1 to 100 characters, to tell the token apart",
      });
    if (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS)
      problems.push({
        at: "expiresInDays",
        message: `expected a whole number of days from 1 to ${MAX_TOKEN_DAYS}`,
      });
    if (problems.length > 0) throw PlatformError.invalid(problems);
    const issued = issueUserToken();
    const info = await this.change(caller, null, "token.issue", async (tx) => {
      const added = await new TenancyStore(tx).addToken({
        id: issued.id,
        userId,
        name: request.name,
        secretHash: issued.secretHash,
        expiresAt: Date.now() + days * DAY_MS,
      });
      return { result: added, target: `token:${added.id}`, after: { ...added } };
    });
    return { token: issued.token, info };
  }

  async listTokens(caller: Caller, user?: string): Promise<ApiTokenInfo[]> {
    const userId = await this.tokenOwner(caller, user);
    return new TenancyStore(this.db).tokensOfUser(userId);
  }

  async revokeToken(caller: Caller, tokenId: string): Promise<void> {
    const tenancy = new TenancyStore(this.db);
    const token = await tenancy.token(tokenId);
    if (token === undefined || (!caller.principal.providerAdmin && token.userId !== caller.principal.userId))
      throw PlatformError.of("not_found", "id", `no token ${tokenId}`);
    await this.change(caller, null, "token.revoke", async (tx) => {
      await new TenancyStore(tx).revokeToken(tokenId);
      return { result: undefined, target: `token:${tokenId}`, before: { ...token } };
    });
  }

  /** Sets a tenant's constraint on a template (Provider Admin: pulumi:constraint:manage). */
  async setConstraint(
    caller: Caller,
    request: { template: string; tenant: string; constraint: unknown },
  ): Promise<ConstraintRecord> {
    const tenant = await this.tenantFor(caller, request.tenant, "tenant");
    requirePermission(caller, "pulumi:constraint:manage", tenant.id, { at: "tenant", name: "tenant" });
    const catalogue = new CatalogueStore(this.db);
    const template = await catalogue.template(request.template);
    if (template === undefined)
      throw PlatformError.of("not_found", "template", `no template ${request.template}`);
    const latest =
      (await catalogue.latestVersion(template.id, "published")) ??
      (await catalogue.latestVersion(template.id));
    if (latest === undefined)
      throw PlatformError.of("failed_precondition", "template", "the template has no version");
    const { constraint, problems } = readConstraint(request.constraint, latest.parameters);
    if (constraint === undefined) throw PlatformError.invalid(problems);
    return this.change(caller, tenant.id, "constraint.set", async (tx) => {
      const store = new CatalogueStore(tx);
      const before = await store.constraint(template.id, tenant.id);
      const after = await store.setConstraint(template.id, tenant.id, constraint, caller.actor);
      return {
        result: after,
        target: `template:${template.id}`,
        before: before ? { ...before } : null,
        after: { ...after },
      };
    });
  }

  async removeConstraint(caller: Caller, request: { template: string; tenant: string }): Promise<void> {
    const tenant = await this.tenantFor(caller, request.tenant, "tenant");
    requirePermission(caller, "pulumi:constraint:manage", tenant.id, { at: "tenant", name: "tenant" });
    const template = await new CatalogueStore(this.db).template(request.template);
    const before = template && (await new CatalogueStore(this.db).constraint(template.id, tenant.id));
    if (template === undefined || before === undefined)
      throw PlatformError.of(
        "not_found",
        "template",
        `no constraint on ${request.template} for ${tenant.name}`,
      );
    await this.change(caller, tenant.id, "constraint.remove", async (tx) => {
      await new CatalogueStore(tx).removeConstraint(template.id, tenant.id);
      return { result: undefined, target: `template:${template.id}`, before: { ...before } };
    });
  }

  /** A tenant's constraints: its members may read them (they shape the forms they fill in). */
  async constraints(caller: Caller, tenantRef: string): Promise<ConstraintRecord[]> {
    const tenant = await this.tenantFor(caller, tenantRef, "tenant");
    requirePermission(caller, "pulumi:template:read", tenant.id, { at: "tenant", name: "tenant" });
    return new CatalogueStore(this.db).constraints({ tenantId: tenant.id });
  }

  /** The audit log: all of it for a Provider Admin; a Tenant Admin's own tenant's. */
  async audit(
    caller: Caller,
    query: { tenant?: string; from?: number; to?: number; afterSeq?: number; limit?: number },
  ): Promise<AuditEntry[]> {
    let tenantId: string | undefined;
    if (query.tenant !== undefined) tenantId = (await this.tenantFor(caller, query.tenant, "tenant")).id;
    if (!caller.principal.providerAdmin) {
      if (tenantId === undefined)
        throw PlatformError.of("invalid_argument", "tenant", "name the tenant whose log to read");
      requireTenantAdmin(caller, tenantId);
    }
    const limit = query.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE)
      throw PlatformError.of("invalid_argument", "limit", `expected 1 to ${MAX_AUDIT_PAGE}`);
    return new AuditLog(this.db).query({
      ...(tenantId !== undefined && { tenantId }),
      ...(query.from !== undefined && { from: query.from }),
      ...(query.to !== undefined && { to: query.to }),
      ...(query.afterSeq !== undefined && { afterSeq: query.afterSeq }),
      limit,
    });
  }

  /** The tenant `ref` names, when the caller may know of it; not_found otherwise. */
  async tenantFor(caller: Caller, ref: string, at: string): Promise<Tenant> {
    const tenant =
      typeof ref === "string" && ref !== "" ? await new TenancyStore(this.db).tenant(ref) : undefined;
    if (
      tenant === undefined ||
      (!caller.principal.providerAdmin && !caller.principal.memberships.has(tenant.id))
    )
      throw PlatformError.of("not_found", at, `no tenant ${ref}`);
    return tenant;
  }

  private async tokenOwner(caller: Caller, user: string | undefined): Promise<string> {
    if (user === undefined || user === "") {
      if (caller.actor === "service")
        throw PlatformError.of("invalid_argument", "user", "name the user the token is for");
      return caller.principal.userId;
    }
    const found = await new TenancyStore(this.db).user(user);
    if (found === undefined || (!caller.principal.providerAdmin && found.id !== caller.principal.userId))
      throw PlatformError.of("not_found", "user", `no user ${user}`);
    return found.id;
  }

  /** Runs one change with its audit entry in one transaction. */

  private change<T>(
    caller: Caller,
    tenantId: string | null,
    action: string,
    apply: (tx: SqlTransaction) => Promise<ChangeOutcome<T>>,
  ): Promise<T> {
    return auditedChange(this.db, caller, tenantId, action, apply);
  }
}

/** Managing a tenant's members and reading its log: its Tenant Admins', or a Provider Admin's. */
function requireTenantAdmin(caller: Caller, tenantId: string): void {
  if (!caller.principal.providerAdmin && caller.principal.memberships.get(tenantId) !== "tenant-admin")
    throw PlatformError.of(
      "permission_denied",
      "tenant",
      "needs Tenant Admin in this tenant or Provider Admin",
    );
}

function check(problems: readonly (Problem | undefined)[]): void {
  const found = problems.filter((p): p is Problem => p !== undefined);
  if (found.length > 0) throw PlatformError.invalid(found);
}

/** Runs a write that may hit a unique index, turning that into already_exists on `at`. */
async function unique<T>(write: () => Promise<T>, at: string, message: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw PlatformError.of("already_exists", at, message);
    throw error;
  }
}
