import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { Client, Connection } from "@temporalio/client";
import { upgradeWorkflowIdOf } from "../../../src/jobs/deployments/upgrade-workflows";
import { type Caller, SERVICE_CALLER } from "../../../src/jobs/domain/caller";
import { type DeploymentStatus, TERMINAL_DEPLOYMENT_STATUSES } from "../../../src/jobs/domain/deployment";
import type { UpgradeBatch } from "../../../src/jobs/domain/upgrade";
import { type JobServer, startJobServer } from "../../../src/jobs/start-job-server";
import { type JobFixture, startJobFixture } from "../../support/job-fixture";
import { colourTemplate } from "../../support/kubernetes-templates";
import type { LocalCluster } from "../../support/local-cluster";
import {
  GREETER,
  GREETER_PARAMETERS,
  greeterProgram,
  platformRefusal as refusal,
  settled,
  TEST_TEMPLATE_INSTALLS,
  userWithRole,
} from "../../support/platform-fixture";
import { testTemporal } from "../../support/temporal";
import { testCluster } from "../../support/test-cluster";

const AWAITING = new Set<DeploymentStatus>(["awaiting_approval"]);

describe("bulk upgrades: a batch previewed, approved once, applied in order, stopping at its failure budget (real Temporal, engine and Kubernetes API server)", () => {
  let fx: JobFixture;
  /** The fixture's service, or the one started in its place on the same data directory. */
  let server: JobServer;
  let cluster: LocalCluster;
  let kubeconfig: string;
  let alice: Caller;
  let bob: Caller;
  let carol: Caller;

  /** Waits until the batch ends — or reaches one of `until` first — and returns it. */
  async function batchOutcome(
    tenant: string,
    upgradeId: string,
    until: ReadonlySet<DeploymentStatus> = TERMINAL_DEPLOYMENT_STATUSES,
  ): Promise<UpgradeBatch> {
    const deadline = Date.now() + 300_000;
    for (;;) {
      const batch = await server.platform.upgrades.get(SERVICE_CALLER, { tenant, upgradeId });
      if (until.has(batch.status) || TERMINAL_DEPLOYMENT_STATUSES.has(batch.status)) return batch;
      if (Date.now() > deadline)
        throw new Error(`upgrade ${upgradeId} still ${batch.status} after 5 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const stackOf = (tenant: string, name: string) =>
    server.platform.stacks.get(SERVICE_CALLER, { tenant, name });

  before(async () => {
    cluster = await testCluster();
    kubeconfig = readFileSync(cluster.kubeconfig, "utf8");
    fx = await startJobFixture({ stacks: {}, settings: { templateInstallsDir: TEST_TEMPLATE_INSTALLS } });
    server = fx.server;
    const { governance, catalogue, stacks } = server.platform;
    for (const tenant of ["team-up", "team-keep", "team-k", "team-late"])
      await governance.createTenant(SERVICE_CALLER, { name: tenant });
    alice = await userWithRole(server, "alice", "team-up", "user");
    bob = await userWithRole(server, "bob", "team-up", "tenant-admin");
    carol = await userWithRole(server, "carol", "team-keep", "tenant-admin");
    for (const [tenant, user, role] of [
      ["team-keep", "alice", "user"],
      ["team-keep", "bob", "tenant-admin"],
      ["team-k", "bob", "tenant-admin"],
    ] as const) {
      await governance.setMembership(SERVICE_CALLER, { tenant, user, role });
    }
    alice = await server.platform.authenticator.authenticate(
      (await governance.issueToken(SERVICE_CALLER, { user: "alice", name: "again" })).token,
    );
    bob = await server.platform.authenticator.authenticate(
      (await governance.issueToken(SERVICE_CALLER, { user: "bob", name: "again" })).token,
    );
    await catalogue.createTemplate(SERVICE_CALLER, { name: "greeter", language: "yaml", source: GREETER });
    await catalogue.publish(SERVICE_CALLER, "greeter");
    await catalogue.createTemplate(SERVICE_CALLER, {
      name: "colours",
      language: "yaml",
      source: colourTemplate(1),
    });
    await catalogue.publish(SERVICE_CALLER, "colours");

    // Every stack at version 1 first, deployed together.
    const greeter = (tenant: string, name: string) =>
      stacks.deploy(SERVICE_CALLER, {
        tenant,
        name,
        template: "greeter",
        parameters: { greeting: "hi" },
        secretParameters: { apiKey: "an-api-key-1234" },
      });
    const colours = async (name: string, skipAwait: boolean) =>
      stacks.deploy(SERVICE_CALLER, {
        tenant: "team-k",
        name,
        template: "colours",
        parameters: { namespace: await cluster.createNamespace(name), skipAwait },
        secretParameters: { kubeconfig },
      });
    await Promise.all([
      greeter("team-up", "a1"),
      greeter("team-up", "a2"),
      greeter("team-up", "a3"),
      greeter("team-keep", "r1"),
      greeter("team-keep", "r2"),
      greeter("team-late", "late"),
      colours("k1", true),
      colours("k2", false),
      colours("k3", true),
    ]);
    for (const [tenant, name] of [
      ["team-up", "a1"],
      ["team-up", "a2"],
      ["team-up", "a3"],
      ["team-keep", "r1"],
      ["team-keep", "r2"],
      ["team-late", "late"],
      ["team-k", "k1"],
      ["team-k", "k2"],
      ["team-k", "k3"],
    ] as const) {
      const stack = await settled(server, SERVICE_CALLER, tenant, name);
      assert.equal(stack.status, "deployed", `${name}: ${stack.error}`);
    }
    await catalogue.saveDraft(SERVICE_CALLER, "greeter", {
      files: { "Pulumi.yaml": greeterProgram("greeter", ", upgraded") },
      dependencies: {},
      parameters: GREETER_PARAMETERS,
    });
    await catalogue.publish(SERVICE_CALLER, "greeter");
    await catalogue.saveDraft(SERVICE_CALLER, "colours", colourTemplate(2));
    await catalogue.publish(SERVICE_CALLER, "colours");
  });
  after(async () => {
    if (server !== fx?.server) {
      await server?.close();
      rmSync(fx.dir, { recursive: true, force: true });
    } else await fx?.close();
    await cluster?.stop();
  });

  it("moves every stack of the template to the new version: one approval, the ups in order, each in its stack's history", async () => {
    const { upgrades, stacks } = server.platform;
    const started = await upgrades.start(alice, { tenant: "team-up", template: "greeter", version: 2 });
    assert.deepEqual(
      started.stacks.map((s) => [s.stackName, s.fromVersion]),
      [
        ["a1", 1],
        ["a2", 1],
        ["a3", 1],
      ],
    );
    assert.equal((await stackOf("team-up", "a1")).status, "deploying", "the batch holds its stacks");
    const waiting = await batchOutcome("team-up", started.id, AWAITING);
    assert.match(waiting.approval?.planHash ?? "", /^sha256:[0-9a-f]{64}$/);
    assert.equal(waiting.approval?.approverRole, "tenant-admin");
    for (const stack of waiting.stacks) {
      assert.match(stack.planHash ?? "", /^sha256:[0-9a-f]{64}$/);
      assert.equal(stack.deployment.status, "awaiting_approval");
      assert.deepEqual(
        stack.deployment.steps.map((s) => [s.name, s.status]),
        [
          ["validate", "succeeded"],
          ["preview", "succeeded"],
          ["approval", "running"],
        ],
      );
    }
    // Approved once, as a batch: no stack's deployment is decided alone.
    assert.deepEqual(await stacks.pendingApprovals(bob, "team-up"), []);
    await assert.rejects(
      stacks.decide(bob, {
        tenant: "team-up",
        deploymentId: waiting.stacks[0]?.deployment.id ?? "",
        decision: "approved",
      }),
      refusal("failed_precondition", /is part of an upgrade batch, approved or rejected as a whole/),
    );

    const decided = await upgrades.decide(bob, {
      tenant: "team-up",
      upgradeId: started.id,
      decision: "approved",
      comment: "all three",
    });
    assert.equal(decided.approval?.decision, "approved");
    const done = await batchOutcome("team-up", started.id);
    assert.equal(done.status, "succeeded", done.error ?? "");
    assert.deepEqual([done.failedStacks, done.skippedStacks], [[], []]);
    const ups = done.stacks.map((s) => s.deployment.steps.find((step) => step.name === "up"));
    for (let i = 1; i < ups.length; i++)
      assert.ok(
        (ups[i - 1]?.finishedAt ?? Number.POSITIVE_INFINITY) <= (ups[i]?.startedAt ?? 0),
        "each up starts after the one before it ended",
      );
    for (const stack of done.stacks) {
      const now = await settled(server, alice, "team-up", stack.stackName);
      assert.equal(now.status, "deployed");
      assert.equal(now.templateVersion, 2);
      assert.deepEqual(now.outputs, { message: "hi, upgraded", key: "[secret]" });
      assert.equal(now.lastJobId, ups[done.stacks.indexOf(stack)]?.jobId);
      const [latest] = await stacks.history(alice, { tenant: "team-up", name: stack.stackName });
      assert.equal(latest?.id, stack.deployment.id, "the stack's history shows its part of the batch");
      assert.equal(latest?.kind, "deploy");
      assert.equal(latest?.status, "succeeded");
      assert.equal(latest?.templateVersion, 2);
      assert.equal(latest?.approval?.decidedBy, "bob");
      assert.equal(latest?.approval?.planHash, stack.planHash);
      assert.match(
        latest?.steps.find((s) => s.name === "approval")?.detail ?? "",
        /^approved by bob for upgrade batch .*: all three$/,
      );
      assert.deepEqual(
        latest?.steps.map((s) => s.name),
        ["validate", "preview", "approval", "up"],
      );
    }
    assert.deepEqual(
      (await upgrades.list(alice, { tenant: "team-up" })).map((b) => b.id),
      [started.id],
    );
  });

  it("refuses the batch's approval to its starter and to a User; rejected, every stack stays as it was", async () => {
    const { upgrades } = server.platform;
    const before = await stackOf("team-keep", "r1");
    const started = await upgrades.start(bob, {
      tenant: "team-keep",
      template: "greeter",
      version: 2,
      stacks: ["r2", "r1"],
    });
    assert.deepEqual(
      started.stacks.map((s) => s.stackName),
      ["r2", "r1"],
      "in the order named",
    );
    await batchOutcome("team-keep", started.id, AWAITING);
    const decide = (caller: Caller, decision: "approved" | "rejected", comment?: string) =>
      upgrades.decide(caller, {
        tenant: "team-keep",
        upgradeId: started.id,
        decision,
        ...(comment !== undefined && { comment }),
      });
    await assert.rejects(decide(bob, "approved"), refusal("permission_denied", /someone else must approve/));
    await assert.rejects(
      decide(alice, "approved"),
      refusal("permission_denied", /^upgradeId: approving needs the Tenant Admin role/),
    );
    await decide(carol, "rejected", "not this week");
    const done = await batchOutcome("team-keep", started.id);
    assert.equal(done.status, "rejected");
    assert.equal(done.approval?.comment, "not this week");
    for (const stack of done.stacks) {
      assert.equal(stack.deployment.status, "rejected");
      assert.equal(stack.deployment.approval?.decision, "rejected");
      assert.equal(
        stack.deployment.steps.some((s) => s.name === "up"),
        false,
        "no up ran",
      );
      const now = await settled(server, bob, "team-keep", stack.stackName);
      assert.equal(now.status, "deployed");
      assert.equal(now.templateVersion, 1, "back on version 1");
      assert.deepEqual(now.outputs, { message: "hi, tenant", key: "[secret]" });
    }
    const r1 = await stackOf("team-keep", "r1");
    assert.deepEqual(
      [r1.deployedAt, r1.deployedBy, r1.parameters],
      [before.deployedAt, before.deployedBy, before.parameters],
    );
    await assert.rejects(
      decide(carol, "approved"),
      refusal("failed_precondition", /rejected already|not awaiting/),
    );
  });

  it("stops at its failure budget: the stack after the failed one is not touched, and the batch names both", async () => {
    const { upgrades, stacks } = server.platform;
    const untouched = await stackOf("team-k", "k3");
    const started = await upgrades.start(SERVICE_CALLER, {
      tenant: "team-k",
      template: "colours",
      version: 2,
      stacks: ["k1", "k2", "k3"],
      failureBudget: 0,
    });
    const waiting = await batchOutcome("team-k", started.id, AWAITING);
    assert.equal(
      waiting.status,
      "awaiting_approval",
      `${waiting.error}: ${waiting.stacks.map((s) => s.deployment.error).join("; ")}`,
    );
    await upgrades.decide(bob, { tenant: "team-k", upgradeId: started.id, decision: "approved" });
    const done = await batchOutcome("team-k", started.id);
    assert.equal(done.status, "failed");
    assert.deepEqual(done.failedStacks, ["k2"]);
    assert.deepEqual(done.skippedStacks, ["k3"]);
    assert.equal(
      done.error,
      "1 of 3 stacks failed, over the failure budget of 0 (failed: k2; not touched: k3)",
    );
    const [k1, k2, k3] = done.stacks;
    assert.equal(k1?.deployment.status, "succeeded");
    assert.equal(k2?.deployment.status, "failed");
    assert.match(k2?.deployment.error ?? "", /^up failed: /);
    assert.equal(k3?.deployment.status, "failed");
    assert.equal(k3?.skipped, true);
    assert.match(k3?.deployment.error ?? "", /^not applied: the upgrade batch stopped/);
    assert.equal(
      k3?.deployment.steps.some((s) => s.name === "up"),
      false,
      "k3's up never ran",
    );

    const namespaceOf = async (name: string) => String((await stackOf("team-k", name)).parameters.namespace);
    const colour = async (name: string) =>
      ((await cluster.get("configmap", "settings", await namespaceOf(name)))?.data as { colour?: string })
        ?.colour;
    assert.equal((await settled(server, bob, "team-k", "k1")).templateVersion, 2);
    assert.equal(await colour("k1"), "green");
    assert.equal((await settled(server, bob, "team-k", "k2")).status, "failed");
    const k3now = await settled(server, bob, "team-k", "k3");
    assert.deepEqual(
      [k3now.status, k3now.templateVersion, k3now.deployedAt, k3now.lastJobId],
      ["deployed", 1, untouched.deployedAt, untouched.lastJobId],
    );
    assert.equal(await colour("k3"), "blue");
    assert.equal(await cluster.get("deployment", "app", await namespaceOf("k3")), undefined);
    const [latest] = await stacks.history(bob, { tenant: "team-k", name: "k3" });
    assert.equal(latest?.id, k3?.deployment.id, "k3's history says why it was left alone");
  });

  it("a batch whose workflow is gone is started again with the service, from its records: still awaiting its approval, then applied", async () => {
    const started = await server.platform.upgrades.start(bob, {
      tenant: "team-keep",
      template: "greeter",
      version: 2,
      stacks: ["r1"],
    });
    const waiting = await batchOutcome("team-keep", started.id, AWAITING);
    assert.equal(waiting.status, "awaiting_approval", waiting.error ?? "");
    // As if the service had stopped before starting it: no workflow, only the records.
    const temporal = await testTemporal();
    const connection = await Connection.connect({ address: temporal.address });
    try {
      await new Client({ connection, namespace: temporal.namespace }).workflow
        .getHandle(upgradeWorkflowIdOf(started.id))
        .terminate("the test takes the workflow away");
    } finally {
      await connection.close();
    }
    await server.close();
    server = await startJobServer({ config: server.config, pollMs: 100 });

    const again = await server.platform.upgrades.get(bob, { tenant: "team-keep", upgradeId: started.id });
    assert.equal(again.status, "awaiting_approval");
    assert.equal(again.approval?.planHash, waiting.approval?.planHash, "the same plans wait");
    await server.platform.upgrades.decide(carol, {
      tenant: "team-keep",
      upgradeId: started.id,
      decision: "approved",
    });
    const done = await batchOutcome("team-keep", started.id);
    assert.equal(done.status, "succeeded", done.error ?? "");
    const [r1] = done.stacks;
    assert.equal(
      waiting.stacks[0]?.deployment.steps.find((s) => s.name === "preview")?.jobId,
      r1?.deployment.steps.find((s) => s.name === "preview")?.jobId,
      "the preview ran once",
    );
    const stack = await settled(server, bob, "team-keep", "r1");
    assert.deepEqual([stack.status, stack.templateVersion], ["deployed", 2]);
    assert.deepEqual(stack.outputs, { message: "hi, upgraded", key: "[secret]" });
  });

  it("ends expired when no one decides in time, every stack back as it was", async () => {
    const { upgrades, stacks } = server.platform;
    await stacks.setDeployPolicy(SERVICE_CALLER, {
      scope: "tenant",
      ref: "team-late",
      policy: { requireApproval: true, approvalTimeoutSeconds: 2 },
    });
    const started = await upgrades.start(SERVICE_CALLER, {
      tenant: "team-late",
      template: "greeter",
      version: 2,
    });
    const done = await batchOutcome("team-late", started.id);
    assert.equal(done.status, "expired");
    assert.equal(done.approval?.decision, "expired");
    assert.deepEqual(
      [done.stacks[0]?.deployment.status, done.stacks[0]?.deployment.approval?.decision],
      ["expired", "expired"],
    );
    const stack = await settled(server, SERVICE_CALLER, "team-late", "late");
    assert.deepEqual([stack.status, stack.templateVersion], ["deployed", 1]);
  });
});
