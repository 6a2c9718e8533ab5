import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Caller, SERVICE_CALLER } from "../../../src/jobs/domain/caller";
import type { Deployment } from "../../../src/jobs/domain/deployment";
import { PlatformError } from "../../../src/jobs/domain/platform-error";
import { SqliteDatabase } from "../../../src/jobs/store/sqlite-database";
import { type JobFixture, startJobFixture } from "../../support/job-fixture";
import {
  deploymentOutcome,
  GREETER,
  platformRefusal as refusal,
  settled,
  stepJobs,
  TEST_TEMPLATE_INSTALLS,
  userWithRole,
} from "../../support/platform-fixture";

const AWAITING = new Set(["awaiting_approval"] as const);

describe("the deploy workflow's approval gate, on the real Temporal dev server and engine", () => {
  let fx: JobFixture;
  let alice: Caller;
  let bob: Caller;
  let carol: Caller;
  const tenant = "team-gated";

  const deploy = (caller: Caller, name: string, greeting = "hi") =>
    fx.server.platform.stacks.deploy(caller, {
      tenant,
      name,
      template: "greeter",
      parameters: { greeting },
      secretParameters: { apiKey: "an-api-key-1234" },
    });
  const awaiting = async (caller: Caller, deployment: Deployment) =>
    deploymentOutcome(fx.server, caller, tenant, deployment.id, AWAITING);
  const outcome = (caller: Caller, deployment: Deployment) =>
    deploymentOutcome(fx.server, caller, tenant, deployment.id);

  before(async () => {
    fx = await startJobFixture({ stacks: {}, settings: { templateInstallsDir: TEST_TEMPLATE_INSTALLS } });
    const { governance, catalogue, stacks } = fx.server.platform;
    await governance.createTenant(SERVICE_CALLER, { name: tenant });
    alice = await userWithRole(fx.server, "alice", tenant, "user");
    bob = await userWithRole(fx.server, "bob", tenant, "tenant-admin");
    carol = await userWithRole(fx.server, "carol", tenant, "tenant-admin");
    await catalogue.createTemplate(SERVICE_CALLER, { name: "greeter", language: "yaml", source: GREETER });
    await catalogue.publish(SERVICE_CALLER, "greeter");
    await stacks.setDeployPolicy(bob, {
      scope: "tenant",
      ref: tenant,
      policy: { requireApproval: true, approverRole: "tenant-admin", approvalTimeoutSeconds: 600 },
    });
  });
  after(async () => fx?.close());

  it("waits for an approver with the role, then applies the approved plan and records it", async () => {
    const { stacks } = fx.server.platform;
    const started = await deploy(alice, "approved");
    assert.equal(started.stack.status, "deploying");
    const waiting = await awaiting(alice, started.deployment);
    assert.match(waiting.approval?.planHash ?? "", /^sha256:[0-9a-f]{64}$/);
    assert.equal(waiting.approval?.approverRole, "tenant-admin");
    assert.equal(waiting.approval?.requestedBy, "alice");
    assert.deepEqual(
      waiting.steps.map((s) => [s.name, s.status]),
      [
        ["validate", "succeeded"],
        ["preview", "succeeded"],
        ["approval", "running"],
      ],
    );
    assert.deepEqual(
      (await stacks.pendingApprovals(bob, tenant)).map((d) => d.id),
      [started.deployment.id],
    );

    await assert.rejects(
      stacks.decide(alice, { tenant, deploymentId: started.deployment.id, decision: "approved" }),
      refusal("permission_denied", /^deploymentId: approving needs the Tenant Admin role/),
    );
    await assert.rejects(
      stacks.decide(alice, { tenant, deploymentId: started.deployment.id, decision: "rejected" }),
      refusal("permission_denied", /^deploymentId: rejecting needs the Tenant Admin role/),
    );
    const decided = await stacks.decide(bob, {
      tenant,
      deploymentId: started.deployment.id,
      decision: "approved",
      comment: "looks right",
    });
    assert.equal(decided.approval?.decision, "approved");
    const done = await outcome(alice, started.deployment);
    assert.equal(done.status, "succeeded", done.error ?? "");
    assert.equal(done.approval?.decidedBy, "bob");
    assert.equal(done.approval?.comment, "looks right");
    assert.deepEqual(
      done.steps.map((s) => [s.name, s.status]),
      [
        ["validate", "succeeded"],
        ["preview", "succeeded"],
        ["approval", "succeeded"],
        ["up", "succeeded"],
      ],
    );
    const jobs = stepJobs(done);
    assert.ok(jobs.preview !== null && jobs.up !== null && jobs.preview !== jobs.up);
    const stack = await settled(fx.server, alice, tenant, "approved");
    assert.equal(stack.status, "deployed");
    assert.deepEqual(stack.outputs, { message: "hi, tenant", key: "[secret]" });
    assert.equal(stack.lastJobId, jobs.up);
    assert.deepEqual(await stacks.pendingApprovals(bob, tenant), []);
    // A decision is made once.
    await assert.rejects(
      stacks.decide(carol, { tenant, deploymentId: started.deployment.id, decision: "rejected" }),
      refusal("failed_precondition", /approved already/),
    );
  });

  it("refuses self-approval: whoever started a deployment cannot approve it, another approver can", async () => {
    const { stacks } = fx.server.platform;
    const started = await deploy(bob, "self");
    await awaiting(bob, started.deployment);
    await assert.rejects(
      stacks.decide(bob, { tenant, deploymentId: started.deployment.id, decision: "approved" }),
      refusal("permission_denied", /someone else must approve/),
    );
    await stacks.decide(carol, { tenant, deploymentId: started.deployment.id, decision: "approved" });
    assert.equal((await outcome(bob, started.deployment)).status, "succeeded");
  });

  it("never applies a rejected plan: the stack is left as it was", async () => {
    const { stacks } = fx.server.platform;
    const started = await deploy(alice, "rejected");
    await awaiting(alice, started.deployment);
    await stacks.decide(carol, {
      tenant,
      deploymentId: started.deployment.id,
      decision: "rejected",
      comment: "not this week",
    });
    const done = await outcome(alice, started.deployment);
    assert.equal(done.status, "rejected");
    assert.equal(done.approval?.comment, "not this week");
    assert.equal(stepJobs(done).up, undefined, "no up ran");
    const stack = await settled(fx.server, alice, tenant, "rejected");
    assert.equal(stack.status, "pending", "a stack never deployed goes back to pending");
    assert.equal(stack.outputs, null);
  });

  it("refuses an up whose plan changed after it was approved, and applies nothing", async () => {
    const { stacks } = fx.server.platform;
    const started = await deploy(alice, "tampered");
    const waiting = await awaiting(alice, started.deployment);
    const previewJob = stepJobs(waiting).preview;
    assert.ok(previewJob);
    // What the approver saw is not what would run: the saved plan is changed underneath.
    const db = new SqliteDatabase(join(fx.dir, "data", "jobs.db"));
    try {
      const changed = await db.run("UPDATE job_plans SET plan = plan || ' ' WHERE job_id = ?", [previewJob]);
      assert.equal(changed, 1);
    } finally {
      await db.close();
    }
    await stacks.decide(bob, { tenant, deploymentId: started.deployment.id, decision: "approved" });
    const done = await outcome(alice, started.deployment);
    assert.equal(done.status, "failed");
    assert.match(done.error ?? "", /plan changed since it was approved/);
    const up = done.steps.find((s) => s.name === "up");
    assert.equal(up?.status, "failed");
    assert.equal(up?.jobId, null, "the engine never ran");
    const stack = await settled(fx.server, alice, tenant, "tampered");
    assert.equal(stack.status, "pending");
    assert.equal(stack.outputs, null);
  });
});

describe("an approval that is not given in time", () => {
  let fx: JobFixture;
  before(async () => {
    fx = await startJobFixture({ stacks: {}, settings: { templateInstallsDir: TEST_TEMPLATE_INSTALLS } });
    const { governance, catalogue, stacks } = fx.server.platform;
    await governance.createTenant(SERVICE_CALLER, { name: "team-slow" });
    await catalogue.createTemplate(SERVICE_CALLER, { name: "greeter", language: "yaml", source: GREETER });
    await catalogue.publish(SERVICE_CALLER, "greeter");
    await stacks.setDeployPolicy(SERVICE_CALLER, {
      scope: "template",
      ref: "greeter",
      policy: { requireApproval: true, approverRole: "tenant-admin", approvalTimeoutSeconds: 2 },
    });
  });
  after(async () => fx?.close());

  it("ends the deployment expired, after which no decision is taken", async () => {
    const { stacks } = fx.server.platform;
    const approver = await userWithRole(fx.server, "dora", "team-slow", "tenant-admin");
    const started = await stacks.deploy(SERVICE_CALLER, {
      tenant: "team-slow",
      name: "late",
      template: "greeter",
      secretParameters: { apiKey: "an-api-key-1234" },
    });
    const done = await deploymentOutcome(fx.server, approver, "team-slow", started.deployment.id);
    assert.equal(done.status, "expired");
    assert.equal(done.approval?.decision, "expired");
    assert.equal(stepJobs(done).up, undefined);
    await assert.rejects(
      stacks.decide(approver, {
        tenant: "team-slow",
        deploymentId: started.deployment.id,
        decision: "approved",
      }),
      refusal("failed_precondition", /expired already|not awaiting approval/),
    );
    assert.equal((await settled(fx.server, approver, "team-slow", "late")).status, "pending");
  });

  it("refuses a deploy policy that names a field wrongly, naming it", async () => {
    await assert.rejects(
      fx.server.platform.stacks.setDeployPolicy(SERVICE_CALLER, {
        scope: "tenant",
        ref: "team-slow",
        policy: { requireApproval: "yes", approverRole: "read-only", approvalTimeoutSeconds: 0, colour: 1 },
      }),
      (error: unknown) => {
        assert.ok(error instanceof PlatformError);
        assert.deepEqual(error.problems.map((p) => p.at).sort(), [
          "policy.approvalTimeoutSeconds",
          "policy.approverRole",
          "policy.colour",
          "policy.requireApproval",
        ]);
        return true;
      },
    );
  });
});
