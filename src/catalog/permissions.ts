/**
 * Who may do what in the catalogue. Five permissions, granted only through four roles; each
 * role holds everything the one before it holds. A role is held in one tenant, except Provider
 * Admin, which the platform team holds across every tenant.
 */
export const PERMISSIONS = [
  "pulumi:template:read",
  "pulumi:stack:deploy",
  "pulumi:template:manage",
  "pulumi:stack:destroy",
  "pulumi:constraint:manage",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ["read-only", "user", "tenant-admin", "provider-admin"] as const;
export type Role = (typeof ROLES)[number];

/** What each role adds to the role before it. */
const ADDED_BY: Readonly<Record<Role, readonly Permission[]>> = {
  "read-only": ["pulumi:template:read"],
  user: ["pulumi:stack:deploy"],
  "tenant-admin": ["pulumi:template:manage", "pulumi:stack:destroy"],
  "provider-admin": ["pulumi:constraint:manage"],
};

const GRANTED: ReadonlyMap<Role, ReadonlySet<Permission>> = new Map(
  ROLES.map((role, rank) => [role, new Set(ROLES.slice(0, rank + 1).flatMap((r) => ADDED_BY[r]))]),
);

export const ROLE_TITLES: Readonly<Record<Role, string>> = {
  "read-only": "Read-Only",
  user: "User",
  "tenant-admin": "Tenant Admin",
  "provider-admin": "Provider Admin",
};

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function permissionsOf(role: Role): ReadonlySet<Permission> {
  return GRANTED.get(role) ?? new Set();
}

/** A caller as the service knows them once their token is checked. */
export interface Principal {
  readonly userId: string;
  /** The role the user holds in each tenant they belong to. */
  readonly memberships: ReadonlyMap<string, Role>;
  /** Holds Provider Admin: every permission, in every tenant. */
  readonly providerAdmin: boolean;
}

/** The role that counts for `principal` in `tenantId`, if any. */
export function roleIn(principal: Principal, tenantId: string): Role | undefined {
  return principal.providerAdmin ? "provider-admin" : principal.memberships.get(tenantId);
}

/** Whether `principal` holds `permission` in `tenantId`. */
export function isAllowed(principal: Principal, permission: Permission, tenantId: string): boolean {
  const role = roleIn(principal, tenantId);
  return role !== undefined && permissionsOf(role).has(permission);
}

/** Whether `principal` holds `role`, or one above it, in `tenantId` (roles are cumulative). */
export function holdsRole(principal: Principal, role: Role, tenantId: string): boolean {
  const held = roleIn(principal, tenantId);
  return held !== undefined && ROLES.indexOf(held) >= ROLES.indexOf(role);
}
