import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Caller, SERVICE_CALLER } from "../../../src/jobs/domain/caller";
import { PlatformError } from "../../../src/jobs/domain/platform-error";
import { SqliteDatabase } from "../../../src/jobs/store/sqlite-database";
import { fileTexts } from "../../support/file-texts";
import { type JobFixture, startJobFixture } from "../../support/job-fixture";
import {
  deploymentOutcome,
  followDeployment,
  GREETER,
  settled,
  TEST_TEMPLATE_INSTALLS,
  userWithRole,
} from "../../support/platform-fixture";

const CANARY = "canary-secret-5f1c9a7e";

function refusal(code: string, ...paths: string[]) {
  return (error: unknown) => {
    assert.ok(error instanceof PlatformError, String(error));
    assert.equal(error.code, code, error.message);
    assert.deepEqual(
      error.problems.map((p) => p.at),
      paths,
    );
    return true;
  };
}

describe("tenant stacks of a catalogue template, against the real engine", () => {
  let fx: JobFixture;
  let alice: Caller;
  let bob: Caller;
  before(async () => {
    fx = await startJobFixture({ stacks: {}, settings: { templateInstallsDir: TEST_TEMPLATE_INSTALLS } });
    const { governance, catalogue } = fx.server.platform;
    await governance.createTenant(SERVICE_CALLER, { name: "team-a" });
    await governance.createTenant(SERVICE_CALLER, { name: "team-b" });
    alice = await userWithRole(fx.server, "alice", "team-a", "user");
    bob = await userWithRole(fx.server, "bob", "team-a", "tenant-admin");
    await catalogue.createTemplate(SERVICE_CALLER, { name: "greeter", language: "yaml", source: GREETER });
    await catalogue.publish(SERVICE_CALLER, "greeter");
  });
  after(async () => fx?.close());

  it("deploys a YAML template to a tenant stack, records its outputs with secrets masked, and destroys it", async () => {
    const { stacks } = fx.server.platform;
    const { deployment } = await stacks.deploy(alice, {
      tenant: "team-a",
      name: "web",
      template: "greeter",
      parameters: { greeting: "hi" },
      secretParameters: { apiKey: CANARY },
    });
    const followed = await followDeployment(fx.server, alice, "team-a", deployment.id);
    assert.equal(followed.job.status, "succeeded", followed.job.error ?? "");
    const deployed = await settled(fx.server, alice, "team-a", "web");
    assert.equal(deployed.status, "deployed", deployed.error ?? "");
    assert.deepEqual(deployed.outputs, { message: "hi, tenant", key: "[secret]" });
    assert.deepEqual(
      deployed.parameters,
      { greeting: "hi" },
      "secret parameters are never on the stack record",
    );
    assert.equal(deployed.deployedBy, "alice");
    assert.ok(!JSON.stringify(followed).includes(CANARY), "the job's output and events never show a secret");

    await assert.rejects(
      stacks.destroy(alice, { tenant: "team-a", name: "web" }),
      refusal("permission_denied", "tenant"),
    );
    const destroyed = await stacks.destroy(bob, { tenant: "team-a", name: "web" });
    assert.equal(destroyed.stack.status, "destroying");
    await followDeployment(fx.server, bob, "team-a", destroyed.deployment.id);
    const after = await settled(fx.server, bob, "team-a", "web");
    assert.equal(after.status, "destroyed");
    // Destroyed, its history is still there by its name.
    assert.deepEqual(
      (await stacks.history(alice, { tenant: "team-a", name: "web" })).map((d) => [d.kind, d.status]),
      [
        ["destroy", "succeeded"],
        ["deploy", "succeeded"],
      ],
    );

    for (const [file, text] of fileTexts(join(fx.dir, "data")))
      assert.ok(!text.includes(CANARY), `${file} holds the secret in plain text`);
  });

  it("refuses parameters outside the tenant's constraint, naming each, and never exceeds maxInstances", async () => {
    const { governance, stacks } = fx.server.platform;
    await governance.setConstraint(SERVICE_CALLER, {
      template: "greeter",
      tenant: "team-a",
      constraint: { maxInstances: 1, parameters: { greeting: { allowedValues: ["hi", "hey"] } } },
    });
    await assert.rejects(
      stacks.deploy(alice, {
        tenant: "team-a",
        name: "bad",
        template: "greeter",
        parameters: { greeting: "yo", colour: "red" },
        secretParameters: { apiKey: "short" },
      }),
      refusal("invalid_argument", "parameters.colour", "parameters.greeting", "secretParameters.apiKey"),
    );
    const first = await stacks.deploy(alice, {
      tenant: "team-a",
      name: "one",
      template: "greeter",
      parameters: { greeting: "hey" },
      secretParameters: { apiKey: CANARY },
    });
    await assert.rejects(
      stacks.deploy(alice, {
        tenant: "team-a",
        name: "two",
        template: "greeter",
        parameters: { greeting: "hey" },
        secretParameters: { apiKey: CANARY },
      }),
      refusal("resource_exhausted", "template"),
    );
    await followDeployment(fx.server, alice, "team-a", first.deployment.id);
    assert.equal((await settled(fx.server, alice, "team-a", "one")).status, "deployed");
  });

  it("refuses a template denied to the tenant as if it did not exist, and a published version never changes", async () => {
    const { governance, catalogue, stacks } = fx.server.platform;
    await governance.setConstraint(SERVICE_CALLER, {
      template: "greeter",
      tenant: "team-b",
      constraint: { allowed: false },
    });
    const carl = await userWithRole(fx.server, "carl", "team-b", "user");
    await assert.rejects(
      stacks.deploy(carl, {
        tenant: "team-b",
        name: "web",
        template: "greeter",
        secretParameters: { apiKey: CANARY },
      }),
      refusal("not_found", "template"),
    );
    assert.deepEqual(await catalogue.list(carl, "team-b", {}), []);

    const before = (await catalogue.get(SERVICE_CALLER, "greeter", "team-a")).versions[0];
    const draft = await catalogue.saveDraft(SERVICE_CALLER, "greeter", {
      ...GREETER,
      parameters: {
        ...GREETER.parameters,
        properties: { ...GREETER.parameters.properties, extra: { type: "string" } },
      },
    });
    assert.equal(draft.version, 2, "editing after publishing starts a new draft");
    const after = (await catalogue.get(SERVICE_CALLER, "greeter", "team-a")).versions[0];
    assert.deepEqual(after, before, "version 1 is as it was published");
  });

  it("never exceeds maxInstances however many deploys race for the last places", async () => {
    const { governance, stacks } = fx.server.platform;
    await governance.createTenant(SERVICE_CALLER, { name: "team-race" });
    const racer = await userWithRole(fx.server, "racer", "team-race", "user");
    await governance.setConstraint(SERVICE_CALLER, {
      template: "greeter",
      tenant: "team-race",
      constraint: { maxInstances: 3 },
    });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        stacks.deploy(racer, {
          tenant: "team-race",
          name: `racer-${i}`,
          template: "greeter",
          secretParameters: { apiKey: CANARY },
        }),
      ),
    );
    const accepted = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter(
      (r): r is PromiseRejectedResult =>
        r.status === "rejected" &&
        r.reason instanceof PlatformError &&
        r.reason.code === "resource_exhausted",
    );
    assert.equal(accepted.length, 3);
    assert.equal(refused.length, 5);
    for (const r of accepted)
      if (r.status === "fulfilled")
        await followDeployment(fx.server, racer, "team-race", r.value.deployment.id);
    assert.equal((await stacks.list(racer, { tenant: "team-race" })).length, 3);
  });

  it("starts on reconcile the workflow of a deployment recorded but never started (the service stopped in between)", async () => {
    const { stacks, governance } = fx.server.platform;
    await governance.createTenant(SERVICE_CALLER, { name: "team-halfway" });
    const dana = await userWithRole(fx.server, "dana", "team-halfway", "user");
    const { deployment } = await stacks.deploy(dana, {
      tenant: "team-halfway",
      name: "halfway",
      template: "greeter",
      parameters: { greeting: "hi" },
      secretParameters: { apiKey: CANARY },
    });
    await followDeployment(fx.server, dana, "team-halfway", deployment.id);
    // What a crash between recording a deployment and starting its workflow leaves behind.
    const orphan = randomUUID();
    const db = new SqliteDatabase(join(fx.dir, "data", "jobs.db"));
    try {
      await db.run(
        `INSERT INTO deployments (id, tenant_id, stack_id, kind, status, template_version, prior_stack_status,
           started_by, created_at, input)
         SELECT ?, tenant_id, stack_id, 'deploy', 'running', template_version, 'deployed', started_by, ?, ?
         FROM deployments WHERE id = ?`,
        [
          orphan,
          Date.now(),
          JSON.stringify({
            deploymentId: orphan,
            kind: "deploy",
            approval: null,
            onFailure: "keep",
            firstDeploy: false,
          }),
          deployment.id,
        ],
      );
      await db.run("UPDATE tenant_stacks SET status = 'deploying' WHERE name = 'halfway'");
    } finally {
      await db.close();
    }
    await stacks.reconcile();
    const resumed = await deploymentOutcome(fx.server, dana, "team-halfway", orphan);
    assert.equal(resumed.status, "succeeded", resumed.error ?? "");
    assert.equal((await settled(fx.server, dana, "team-halfway", "halfway")).status, "deployed");
    // Reconciling again starts nothing twice: the workflow's id is the deployment's.
    await stacks.reconcile();
    assert.deepEqual(
      (await stacks.history(dana, { tenant: "team-halfway", name: "halfway" })).map((d) => d.status),
      ["succeeded", "succeeded"],
    );
  });

  it("shows a tenant nothing of another tenant's", async () => {
    const carol = await userWithRole(fx.server, "carol", "team-b", "tenant-admin");
    const { stacks } = fx.server.platform;
    await assert.rejects(
      stacks.get(carol, { tenant: "team-a", name: "one" }),
      refusal("not_found", "tenant"),
    );
    await assert.rejects(stacks.list(carol, { tenant: "team-a" }), refusal("not_found", "tenant"));
    await assert.rejects(
      stacks.destroy(carol, { tenant: "team-a", name: "one" }),
      refusal("not_found", "tenant"),
    );
    assert.deepEqual(await stacks.list(carol, { tenant: "team-b" }), []);
  });
});
