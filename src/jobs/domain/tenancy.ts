import type { Role } from "../../catalog/permissions";

/** Tenants, users and their tokens, as the service stores them. Times are epoch milliseconds. */

export interface Tenant {
  readonly id: string;
  readonly name: string;
  readonly displayName: string;
  readonly createdAt: number;
}

export interface User {
  readonly id: string;
  readonly name: string;
  readonly providerAdmin: boolean;
  readonly createdAt: number;
}

export interface Membership {
  readonly tenantId: string;
  readonly userId: string;
  readonly role: Role;
  readonly createdAt: number;
}

/** An API token as listed: never its secret, which only its creator saw, once. */
export interface ApiTokenInfo {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
}

/** One change, as the audit log keeps it: who, what, which tenant, when, before and after. */
export interface AuditEntry {
  readonly seq: number;
  readonly id: string;
  readonly at: number;
  /** The acting user's name, or `service` for the service's own token. */
  readonly actor: string;
  readonly tenantId: string | null;
  /** `template.publish`, `stack.deploy`, `token.revoke`, … */
  readonly action: string;
  /** What changed: `template:<id>`, `stack:<id>`, … */
  readonly target: string;
  /** The record before and after, secrets left out. */
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
}
