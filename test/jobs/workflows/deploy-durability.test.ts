import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createPlatformClient, type PlatformClient } from "../../../src/jobs/api/client";
import {
  type Deployment,
  DeploymentStatus,
  DeploymentStepName,
  DeploymentStepStatus,
  DeployPolicyScope,
  FailurePolicy,
  Language,
  Role,
  StackStatus,
} from "../../../src/jobs/api/gen/stackwright/platform/v1/platform_pb";
import { writeFixtureConfig } from "../../support/job-fixture";
import { halfDoneTemplate } from "../../support/kubernetes-templates";
import type { LocalCluster } from "../../support/local-cluster";
import { GREETER, TEST_TEMPLATE_INSTALLS } from "../../support/platform-fixture";
import { type ServeProcess, startServe } from "../../support/serve-process";
import { testCluster } from "../../support/test-cluster";

const TOKEN = "durability-test-api-token-0123456789";

/**
 * `stackwright serve` on its embedded defaults (its own Temporal dev server in the data directory)
 * killed with SIGKILL — no chance to stop anything — and started again on the same data directory.
 */
describe("deployments survive `serve` killed with SIGKILL and started again", () => {
  let cluster: LocalCluster;
  let dir: string;
  let file: string;
  let serve: ServeProcess | undefined;
  let client: PlatformClient;
  let approver: PlatformClient;
  let approverToken = "";

  const start = async () => {
    serve = startServe(["--config", file, "--port", "0"], { ...process.env, STACKWRIGHT_API_TOKEN: TOKEN });
    const url = (await serve.waitFor(/listening on (http:\/\/\S+)/, 120_000))[1] as string;
    client = createPlatformClient({ baseUrl: url, token: TOKEN, transport: "connect-json" });
    if (approverToken !== "")
      approver = createPlatformClient({ baseUrl: url, token: approverToken, transport: "connect-json" });
  };
  const kill = async () => {
    const killed = serve;
    if (killed === undefined) return;
    const exited = new Promise((resolve) => killed.child.once("exit", resolve));
    killed.child.kill("SIGKILL");
    await exited;
  };
  const until = async (tenant: string, id: string, done: (d: Deployment) => boolean): Promise<Deployment> => {
    const deadline = Date.now() + 240_000;
    for (;;) {
      const deployment = await client.stacks.getDeployment({ tenant, deploymentId: id });
      if (done(deployment)) return deployment;
      if (Date.now() > deadline)
        throw new Error(`deployment ${id} still ${DeploymentStatus[deployment.status]}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  /** Whether a tenant stack's state (file backend, under the data directory) holds a resource of `type`. */
  const recordedInState = (type: string): boolean =>
    (existsSync(join(dir, "data", "tenant-state"))
      ? (readdirSync(join(dir, "data", "tenant-state"), { recursive: true }) as string[])
      : []
    )
      .filter((name) => /\.pulumi\/stacks\/.+\.json$/.test(name))
      .some((name) => {
        try {
          const state = JSON.parse(readFileSync(join(dir, "data", "tenant-state", name), "utf8")) as {
            checkpoint?: { latest?: { resources?: { type?: string }[] } };
          };
          return (state.checkpoint?.latest?.resources ?? []).some((r) => r.type === type);
        } catch {
          // Being written, or not a stack's state.
          return false;
        }
      });
  const ended = (d: Deployment) =>
    [
      DeploymentStatus.SUCCEEDED,
      DeploymentStatus.FAILED,
      DeploymentStatus.REJECTED,
      DeploymentStatus.EXPIRED,
    ].includes(d.status);

  before(async () => {
    cluster = await testCluster();
    ({ dir, file } = writeFixtureConfig({
      stacks: {},
      settings: { templateInstallsDir: TEST_TEMPLATE_INSTALLS },
    }));
    await start();
    await client.governance.createTenant({ name: "team-d" });
    await client.governance.createUser({ name: "bob" });
    await client.governance.setMembership({ tenant: "team-d", user: "bob", role: Role.TENANT_ADMIN });
    approverToken = (await client.governance.issueToken({ user: "bob", name: "test" })).token;
    await kill();
    await start();
    await client.catalog.createTemplate({ name: "greeter", language: Language.YAML, source: GREETER });
    await client.catalog.publishTemplate({ template: "greeter" });
    await client.stacks.setDeployPolicy({
      scope: DeployPolicyScope.TEMPLATE,
      ref: "greeter",
      policy: {
        requireApproval: true,
        approverRole: Role.TENANT_ADMIN,
        approvalTimeoutSeconds: 3600,
        onFailure: FailurePolicy.DESTROY,
      },
    });
    await client.catalog.createTemplate({
      name: "half-done",
      language: Language.YAML,
      source: halfDoneTemplate("120s"),
    });
    await client.catalog.publishTemplate({ template: "half-done" });
  });
  after(async () => {
    await serve?.stop();
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps a pending approval pending, and the approved deploy then runs its up once", async () => {
    const { deployment } = await client.stacks.deployStack({
      tenant: "team-d",
      name: "waiting",
      template: "greeter",
      secretParameters: { apiKey: "an-api-key-1234" },
    });
    const id = deployment?.id ?? "";
    await until("team-d", id, (d) => d.status === DeploymentStatus.AWAITING_APPROVAL);

    await kill();
    await start();
    const still = await client.stacks.getDeployment({ tenant: "team-d", deploymentId: id });
    assert.equal(still.status, DeploymentStatus.AWAITING_APPROVAL);
    assert.deepEqual(
      (await client.stacks.listPendingApprovals({ tenant: "team-d" })).deployments.map((d) => d.id),
      [id],
    );

    await approver.stacks.approveDeployment({
      tenant: "team-d",
      deploymentId: id,
      comment: "after the crash",
    });
    const done = await until("team-d", id, ended);
    assert.equal(done.status, DeploymentStatus.SUCCEEDED, done.error);
    assert.deepEqual(
      done.steps.map((s) => DeploymentStepName[s.name]),
      ["VALIDATE", "PREVIEW", "APPROVAL", "UP"],
    );
    const stack = await client.stacks.getStack({ tenant: "team-d", name: "waiting" });
    assert.equal(stack.status, StackStatus.DEPLOYED);
  });

  it("ends an up interrupted by the kill as failed, never running it twice nor leaving the stack deploying, and compensates what it recorded", async () => {
    const namespace = await cluster.createNamespace("durable");
    const { deployment } = await client.stacks.deployStack({
      tenant: "team-d",
      name: "interrupted",
      template: "half-done",
      parameters: { namespace },
      secretParameters: { kubeconfig: readFileSync(cluster.kubeconfig, "utf8") },
    });
    const id = deployment?.id ?? "";
    await until("team-d", id, (d) => d.steps.some((s) => s.name === DeploymentStepName.UP && s.jobId !== ""));
    // The up is under way: its ConfigMap is made, and recorded in the stack's state, before the
    // Deployment it waits on. Made is not enough: killed between the two, the ConfigMap too is a
    // pending create (see below), which the compensation cannot destroy.
    const deadline = Date.now() + 60_000;
    while (!recordedInState("kubernetes:core/v1:ConfigMap")) {
      assert.ok(Date.now() < deadline, "the up never recorded its ConfigMap in the stack's state");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.notEqual(await cluster.get("configmap", "settings", namespace), undefined);

    await kill();
    await start();
    const done = await until("team-d", id, ended);
    assert.equal(done.status, DeploymentStatus.FAILED);
    const ups = done.steps.filter((s) => s.name === DeploymentStepName.UP);
    assert.equal(ups.length, 1);
    assert.equal(ups[0]?.status, DeploymentStepStatus.FAILED);
    const upJob = await client.stacks.getStackJob({ tenant: "team-d", jobId: ups[0]?.jobId ?? "" });
    assert.match(upJob.error ?? "", /interrupted/);
    assert.equal(upJob.attempt, 1, "the up ran once");
    assert.equal(done.compensation?.policy, FailurePolicy.DESTROY);
    // The ConfigMap the up recorded is destroyed. (The Deployment whose create the kill cut short
    // is a pending create in the state, with no id the engine can destroy it by: a known gap.)
    assert.equal(await cluster.get("configmap", "settings", namespace), undefined);
    const stack = await client.stacks.getStack({ tenant: "team-d", name: "interrupted" });
    assert.equal(stack.status, StackStatus.FAILED);
  });
});
