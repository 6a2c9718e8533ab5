import { randomUUID } from "node:crypto";
import { isRole, type Role } from "../../catalog/permissions";
import type { ApiTokenInfo, Membership, Tenant, User } from "../domain/tenancy";
import type { Row, SqlExecutor } from "./sql-database";

/** Tenants, users, memberships and API tokens in SQL. */
export class TenancyStore {
  constructor(private readonly db: SqlExecutor) {}

  async createTenant(name: string, displayName: string, now = Date.now()): Promise<Tenant> {
    const tenant = { id: randomUUID(), name, displayName, createdAt: now };
    await this.db.run("INSERT INTO tenants (id, name, display_name, created_at) VALUES (?, ?, ?, ?)", [
      tenant.id,
      name,
      displayName,
      now,
    ]);
    return tenant;
  }

  async tenant(idOrName: string): Promise<Tenant | undefined> {
    const [row] = await this.db.query("SELECT * FROM tenants WHERE id = ? OR name = ?", [idOrName, idOrName]);
    return row === undefined ? undefined : toTenant(row);
  }

  async tenants(ids?: readonly string[]): Promise<Tenant[]> {
    const rows = await this.db.query("SELECT * FROM tenants ORDER BY name");
    const tenants = rows.map(toTenant);
    return ids === undefined ? tenants : tenants.filter((t) => ids.includes(t.id));
  }

  async createUser(name: string, providerAdmin: boolean, now = Date.now()): Promise<User> {
    const user = { id: randomUUID(), name, providerAdmin, createdAt: now };
    await this.db.run("INSERT INTO users (id, name, provider_admin, created_at) VALUES (?, ?, ?, ?)", [
      user.id,
      name,
      providerAdmin ? 1 : 0,
      now,
    ]);
    return user;
  }

  async user(idOrName: string): Promise<User | undefined> {
    const [row] = await this.db.query("SELECT * FROM users WHERE id = ? OR name = ?", [idOrName, idOrName]);
    return row === undefined ? undefined : toUser(row);
  }

  async users(): Promise<User[]> {
    return (await this.db.query("SELECT * FROM users ORDER BY name")).map(toUser);
  }

  /** Gives `userId` `role` in `tenantId`, replacing the role they held there. */
  async setMembership(tenantId: string, userId: string, role: Role, now = Date.now()): Promise<Membership> {
    const changed = await this.db.run("UPDATE memberships SET role = ? WHERE tenant_id = ? AND user_id = ?", [
      role,
      tenantId,
      userId,
    ]);
    if (changed === 0)
      await this.db.run(
        "INSERT INTO memberships (tenant_id, user_id, role, created_at) VALUES (?, ?, ?, ?)",
        [tenantId, userId, role, now],
      );
    return (await this.membership(tenantId, userId)) as Membership;
  }

  async removeMembership(tenantId: string, userId: string): Promise<boolean> {
    return (
      (await this.db.run("DELETE FROM memberships WHERE tenant_id = ? AND user_id = ?", [tenantId, userId])) >
      0
    );
  }

  async membership(tenantId: string, userId: string): Promise<Membership | undefined> {
    const [row] = await this.db.query("SELECT * FROM memberships WHERE tenant_id = ? AND user_id = ?", [
      tenantId,
      userId,
    ]);
    return row === undefined ? undefined : toMembership(row);
  }

  async membershipsOfUser(userId: string): Promise<Membership[]> {
    return (
      await this.db.query("SELECT * FROM memberships WHERE user_id = ? ORDER BY tenant_id", [userId])
    ).map(toMembership);
  }

  async membershipsOfTenant(tenantId: string): Promise<Membership[]> {
    return (
      await this.db.query("SELECT * FROM memberships WHERE tenant_id = ? ORDER BY user_id", [tenantId])
    ).map(toMembership);
  }

  async addToken(
    token: { id: string; userId: string; name: string; secretHash: string; expiresAt: number | null },
    now = Date.now(),
  ): Promise<ApiTokenInfo> {
    await this.db.run(
      "INSERT INTO api_tokens (id, user_id, name, secret_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
      [token.id, token.userId, token.name, token.secretHash, now, token.expiresAt],
    );
    return (await this.token(token.id)) as ApiTokenInfo;
  }

  async token(id: string): Promise<ApiTokenInfo | undefined> {
    const [row] = await this.db.query("SELECT * FROM api_tokens WHERE id = ?", [id]);
    return row === undefined ? undefined : toToken(row);
  }

  /** The stored hash of token `id`'s secret, for the one caller that checks presented tokens. */
  async tokenSecretHash(id: string): Promise<string | undefined> {
    const [row] = await this.db.query("SELECT secret_hash FROM api_tokens WHERE id = ?", [id]);
    return row === undefined ? undefined : String(row.secret_hash);
  }

  async tokensOfUser(userId: string): Promise<ApiTokenInfo[]> {
    return (
      await this.db.query("SELECT * FROM api_tokens WHERE user_id = ? ORDER BY created_at, id", [userId])
    ).map(toToken);
  }

  async revokeToken(id: string, now = Date.now()): Promise<boolean> {
    return (
      (await this.db.run("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [
        now,
        id,
      ])) > 0
    );
  }
}

function toTenant(row: Row): Tenant {
  return {
    id: String(row.id),
    name: String(row.name),
    displayName: String(row.display_name),
    createdAt: Number(row.created_at),
  };
}

function toUser(row: Row): User {
  return {
    id: String(row.id),
    name: String(row.name),
    providerAdmin: Number(row.provider_admin) === 1,
    createdAt: Number(row.created_at),
  };
}

function toMembership(row: Row): Membership {
  const role = String(row.role);
  if (!isRole(role))
    throw new Error(`membership of user ${String(row.user_id)} holds an unknown role ${role}`);
  return {
    tenantId: String(row.tenant_id),
    userId: String(row.user_id),
    role,
    createdAt: Number(row.created_at),
  };
}

function toToken(row: Row): ApiTokenInfo {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    name: String(row.name),
    createdAt: Number(row.created_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}
