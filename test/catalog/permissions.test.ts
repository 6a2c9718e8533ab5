import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  isAllowed,
  PERMISSIONS,
  type Permission,
  type Principal,
  permissionsOf,
  ROLES,
  type Role,
} from "../../src/catalog/permissions";

/** The matrix as the issue states it, written out in full so a change to the grants shows here. */
const EXPECTED: Record<Role, Permission[]> = {
  "read-only": ["pulumi:template:read"],
  user: ["pulumi:template:read", "pulumi:stack:deploy"],
  "tenant-admin": [
    "pulumi:template:read",
    "pulumi:stack:deploy",
    "pulumi:template:manage",
    "pulumi:stack:destroy",
  ],
  "provider-admin": [...PERMISSIONS],
};

const member = (tenant: string, role: Role): Principal => ({
  userId: "u",
  memberships: new Map([[tenant, role]]),
  providerAdmin: false,
});

describe("permissions", () => {
  it("grants each role exactly its permissions, each role everything the one before holds", () => {
    for (const role of ROLES)
      assert.deepEqual([...permissionsOf(role)].sort(), [...EXPECTED[role]].sort(), role);
  });

  it("allows a member only in the tenant they belong to", () => {
    for (const role of ROLES.filter((r) => r !== "provider-admin"))
      for (const permission of PERMISSIONS) {
        assert.equal(isAllowed(member("a", role), permission, "a"), EXPECTED[role].includes(permission));
        assert.equal(isAllowed(member("a", role), permission, "b"), false, `${role} ${permission} in b`);
      }
  });

  it("allows a provider admin everything in every tenant, constraint management included", () => {
    const admin: Principal = { userId: "p", memberships: new Map(), providerAdmin: true };
    for (const permission of PERMISSIONS) assert.equal(isAllowed(admin, permission, "any-tenant"), true);
    assert.equal(isAllowed(member("a", "tenant-admin"), "pulumi:constraint:manage", "a"), false);
  });
});
