import assert from "node:assert/strict";
import { it } from "node:test";
import type { ParameterSchema } from "../../../src/catalog/parameter-schema";
import type { TenantStack } from "../../../src/jobs/domain/tenant-stack";
import { AuditLog, recordAudit } from "../../../src/jobs/store/audit-log";
import { CatalogueStore } from "../../../src/jobs/store/catalogue-store";
import { migrate } from "../../../src/jobs/store/migrations";
import { SealedSecretStore } from "../../../src/jobs/store/sealed-secret-store";
import type { SqlDatabase } from "../../../src/jobs/store/sql-database";
import { TenancyStore } from "../../../src/jobs/store/tenancy-store";
import { TenantStackStore } from "../../../src/jobs/store/tenant-stack-store";

const PARAMETERS: ParameterSchema = {
  type: "object",
  properties: { replicas: { type: "integer", default: 1 } },
  additionalProperties: false,
};
const SOURCE = {
  files: { "Pulumi.yaml": "name: t\nruntime: yaml\n" },
  dependencies: {},
  parameters: PARAMETERS,
};

/**
 * The platform's stores (tenancy, catalogue, tenant stacks, sealed secrets, audit log), written
 * once and run against SQLite and PostgreSQL, each fresh per test.
 */
export function platformStoreContract(openDatabase: () => Promise<SqlDatabase>): void {
  const withDatabase = (fn: (db: SqlDatabase) => Promise<void>) => async () => {
    const db = await openDatabase();
    try {
      await migrate(db);
      await fn(db);
    } finally {
      await db.close();
    }
  };

  it(
    "keeps tenants, users, memberships and tokens; a revoked token stays listed as revoked",
    withDatabase(async (db) => {
      const tenancy = new TenancyStore(db);
      const tenant = await tenancy.createTenant("team-a", "Team A", 1000);
      const user = await tenancy.createUser("alice", false, 1000);
      await tenancy.setMembership(tenant.id, user.id, "user", 1000);
      await tenancy.setMembership(tenant.id, user.id, "tenant-admin", 2000);
      assert.deepEqual(
        (await tenancy.membershipsOfUser(user.id)).map((m) => m.role),
        ["tenant-admin"],
      );
      await tenancy.addToken({
        id: "0123456789abcdef",
        userId: user.id,
        name: "ci",
        secretHash: "ab",
        expiresAt: null,
      });
      assert.equal(await tenancy.tokenSecretHash("0123456789abcdef"), "ab");
      assert.equal(await tenancy.revokeToken("0123456789abcdef", 3000), true);
      assert.equal(await tenancy.revokeToken("0123456789abcdef", 4000), false, "revoked once");
      assert.equal((await tenancy.token("0123456789abcdef"))?.revokedAt, 3000);
      await assert.rejects(tenancy.createTenant("team-a", "again"), "names are unique");
    }),
  );

  it(
    "publishes a draft as a frozen version; the next draft is a new version; names are reusable after delete",
    withDatabase(async (db) => {
      const catalogue = new CatalogueStore(db);
      const template = await catalogue.createTemplate({
        name: "web",
        ownerTenantId: null,
        displayName: "Web",
        description: "",
        language: "yaml",
        system: false,
        createdBy: "p",
      });
      assert.equal(template.latestPublished, null);
      const draft = await catalogue.saveDraft(template.id, SOURCE, "p");
      assert.equal(draft.version, 1);
      assert.equal((await catalogue.template("web"))?.latestPublished, null, "a draft is not published");
      assert.equal(await catalogue.publishDraft(template.id, "sha256:x", "p"), true);
      assert.equal(await catalogue.publishDraft(template.id, "sha256:y", "p"), false, "no draft left");
      const next = await catalogue.saveDraft(template.id, { ...SOURCE, dependencies: { a: "1" } }, "p");
      assert.equal(next.version, 2);
      const published = await catalogue.version(template.id, 1);
      assert.deepEqual(published?.dependencies, {}, "saving a draft never touches a published version");
      assert.equal(published?.contentHash, "sha256:x");
      // The newest published version, as every read of a template gives it: not the newer draft.
      const latest = async () => [
        (await catalogue.template("web"))?.latestPublished,
        (await catalogue.template(template.id))?.latestPublished,
        (await catalogue.templateById(template.id))?.latestPublished,
        (await catalogue.listTemplates({ limit: 10 })).map((t) => [t.name, t.latestPublished]),
      ];
      assert.deepEqual(await latest(), [1, 1, 1, [["web", 1]]]);
      assert.equal(await catalogue.publishDraft(template.id, "sha256:z", "p"), true);
      assert.deepEqual(await latest(), [2, 2, 2, [["web", 2]]]);
      assert.equal(await catalogue.deprecate(template.id, 2), true);
      assert.deepEqual(await latest(), [1, 1, 1, [["web", 1]]], "a deprecated version no longer counts");
      assert.equal(await catalogue.deprecate(template.id, 1), true);
      assert.deepEqual(await latest(), [null, null, null, [["web", null]]]);
      assert.equal(await catalogue.deleteTemplate(template.id), true);
      assert.equal(await catalogue.template("web"), undefined);
      await catalogue.createTemplate({ ...template, createdBy: "p" });
    }),
  );

  it(
    "lists to a tenant the provider's templates it is not denied, and its own, never another tenant's",
    withDatabase(async (db) => {
      const tenancy = new TenancyStore(db);
      const a = await tenancy.createTenant("a", "A");
      const b = await tenancy.createTenant("b", "B");
      const catalogue = new CatalogueStore(db);
      const make = (name: string, owner: string | null) =>
        catalogue.createTemplate({
          name,
          ownerTenantId: owner,
          displayName: name,
          description: "",
          language: "yaml",
          system: false,
          createdBy: "p",
        });
      await make("shared", null);
      const denied = await make("denied-to-a", null);
      await make("a-own", a.id);
      const own = await make("b-own", b.id);
      await catalogue.setConstraint(denied.id, a.id, { allowed: false, parameters: {} }, "p");
      const names = async (tenant: string) =>
        (await catalogue.listTemplates({ visibleTo: tenant, limit: 100 })).map((t) => t.name);
      assert.deepEqual(await names(a.id), ["a-own", "shared"]);
      // Each listed template with its own newest published version.
      for (const [template, versions] of [
        [denied, 2],
        [own, 1],
      ] as const) {
        for (let v = 0; v < versions; v++) {
          await catalogue.saveDraft(template.id, SOURCE, "p");
          await catalogue.publishDraft(template.id, `sha256:${template.name}-${v}`, "p");
        }
      }
      await catalogue.saveDraft(own.id, SOURCE, "p");
      assert.deepEqual(
        (await catalogue.listTemplates({ visibleTo: b.id, limit: 100 })).map((t) => [
          t.name,
          t.latestPublished,
        ]),
        [
          ["b-own", 1],
          ["denied-to-a", 2],
          ["shared", null],
        ],
      );
      assert.deepEqual(await names(b.id), ["b-own", "denied-to-a", "shared"]);
      const firstPage = await catalogue.listTemplates({ limit: 2 });
      const secondPage = await catalogue.listTemplates({ limit: 2, afterName: firstPage.at(-1)?.name ?? "" });
      assert.deepEqual(
        [...firstPage, ...secondPage].map((t) => t.name),
        ["a-own", "b-own", "denied-to-a", "shared"],
      );
    }),
  );

  it(
    "never lets concurrent deploys exceed maxInstances, and frees a slot when a stack is destroyed",
    withDatabase(async (db) => {
      const tenancy = new TenancyStore(db);
      const tenant = await tenancy.createTenant("a", "A");
      const template = await new CatalogueStore(db).createTemplate({
        name: "web",
        ownerTenantId: null,
        displayName: "Web",
        description: "",
        language: "yaml",
        system: false,
        createdBy: "p",
      });
      const deploy = (name: string) =>
        db.transaction((tx) =>
          TenantStackStore.createWithin(
            tx,
            {
              tenantId: tenant.id,
              name,
              templateId: template.id,
              templateVersion: 1,
              parameters: {},
              stateLocation: "file:///x",
              createdBy: "u",
            },
            3,
          ),
        );
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => deploy(`s${i}`)));
      const created = results.filter((r): r is TenantStack => r !== "limit-reached");
      assert.equal(created.length, 3);
      const stacks = new TenantStackStore(db);
      assert.equal(await stacks.liveCount(tenant.id, template.id), 3);
      const first = created[0];
      if (first === undefined) throw new Error("unreachable");
      assert.equal(await stacks.transition(first.id, ["pending"], "destroyed", {}), true);
      assert.notEqual(await deploy("again"), "limit-reached");
      assert.equal(await deploy("more"), "limit-reached");

      // By name: the live stack, else the one destroyed last.
      assert.equal(await stacks.byName(tenant.id, first.name), undefined);
      assert.equal((await stacks.lastByName(tenant.id, first.name))?.id, first.id);
      assert.equal(await stacks.lastByName(tenant.id, "never"), undefined);
      const second = created[1];
      if (second === undefined) throw new Error("unreachable");
      assert.equal(await stacks.transition(second.id, ["pending"], "destroyed", {}), true);
      const reborn = await deploy(first.name);
      assert.notEqual(reborn, "limit-reached");
      assert.equal((await stacks.lastByName(tenant.id, first.name))?.id, (reborn as TenantStack).id);
    }),
  );

  it(
    "keeps sealed secrets per owner, and the audit log in commit order, readable by tenant and time",
    withDatabase(async (db) => {
      const secrets = new SealedSecretStore(db);
      await secrets.put("stack:1", "passphrase", "sw1.a.b.c");
      await secrets.put("stack:1", "passphrase", "sw1.d.e.f");
      await secrets.put("stack:2", "passphrase", "sw1.g.h.i");
      assert.deepEqual([...(await secrets.all("stack:1")).entries()], [["passphrase", "sw1.d.e.f"]]);
      const entries = Array.from({ length: 8 }, (_, i) => ({
        actor: "alice",
        tenantId: i % 2 === 0 ? "t1" : "t2",
        action: "stack.deploy",
        target: `stack:${i}`,
        before: null,
        after: { i },
      }));
      await Promise.all(entries.map((e, i) => db.transaction((tx) => recordAudit(tx, e, 1000 + i))));
      const log = new AuditLog(db);
      const t1 = await log.query({ tenantId: "t1", limit: 100 });
      assert.equal(t1.length, 4);
      assert.ok(t1.every((e) => e.tenantId === "t1"));
      const all = await log.query({ limit: 100 });
      assert.deepEqual(
        all.map((e) => e.seq),
        [1, 2, 3, 4, 5, 6, 7, 8],
      );
      assert.equal((await log.query({ from: 1004, to: 1006, limit: 100 })).length, 2);
      const page = await log.query({ afterSeq: 6, limit: 100 });
      assert.deepEqual(
        page.map((e) => e.seq),
        [7, 8],
      );
    }),
  );
}
