import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { SERVICE_CALLER } from "../../../src/jobs/domain/caller";
import { type JobFixture, startJobFixture } from "../../support/job-fixture";
import { halfDoneTemplate } from "../../support/kubernetes-templates";
import type { LocalCluster } from "../../support/local-cluster";
import { deploymentOutcome, settled, TEST_TEMPLATE_INSTALLS } from "../../support/platform-fixture";
import { testCluster } from "../../support/test-cluster";

describe("compensation of a failed first deploy, on the real engine, Temporal and Kubernetes API server", () => {
  let fx: JobFixture;
  let cluster: LocalCluster;
  let kubeconfig: string;

  before(async () => {
    cluster = await testCluster();
    kubeconfig = readFileSync(cluster.kubeconfig, "utf8");
    fx = await startJobFixture({ stacks: {}, settings: { templateInstallsDir: TEST_TEMPLATE_INSTALLS } });
    const { governance, catalogue } = fx.server.platform;
    await governance.createTenant(SERVICE_CALLER, { name: "team-k" });
    await catalogue.createTemplate(SERVICE_CALLER, {
      name: "half-done",
      language: "yaml",
      source: halfDoneTemplate("5s"),
    });
    await catalogue.publish(SERVICE_CALLER, "half-done");
  });
  after(async () => {
    await fx?.close();
    await cluster?.stop();
  });

  const deployInto = async (name: string, namespace: string) => {
    const { deployment } = await fx.server.platform.stacks.deploy(SERVICE_CALLER, {
      tenant: "team-k",
      name,
      template: "half-done",
      parameters: { namespace },
      secretParameters: { kubeconfig },
    });
    return deploymentOutcome(fx.server, SERVICE_CALLER, "team-k", deployment.id);
  };

  it("refreshes, then destroys what the failed up created: nothing is left behind", async () => {
    const namespace = await cluster.createNamespace("compensate");
    const done = await deployInto("compensated", namespace);
    assert.equal(done.status, "failed");
    assert.match(done.error ?? "", /^up failed: .*; compensation destroyed what it created$/s);
    assert.deepEqual(done.compensation, { policy: "destroy", outcome: "succeeded" });
    assert.deepEqual(
      done.steps.map((s) => [s.name, s.status]),
      [
        ["validate", "succeeded"],
        ["preview", "succeeded"],
        ["up", "failed"],
        ["compensate-refresh", "succeeded"],
        ["compensate-destroy", "succeeded"],
      ],
    );
    assert.equal(await cluster.get("configmap", "settings", namespace), undefined);
    assert.equal(await cluster.get("deployment", "app", namespace), undefined);
    const stack = await settled(fx.server, SERVICE_CALLER, "team-k", "compensated");
    assert.equal(stack.status, "failed");
  });

  it("keeps what the failed up created when the template's policy says keep", async () => {
    await fx.server.platform.stacks.setDeployPolicy(SERVICE_CALLER, {
      scope: "template",
      ref: "half-done",
      policy: { onFailure: "keep" },
    });
    const namespace = await cluster.createNamespace("keep");
    const done = await deployInto("kept", namespace);
    assert.equal(done.status, "failed");
    assert.deepEqual(done.compensation, { policy: "keep", outcome: "kept" });
    assert.equal(
      done.steps.some((s) => s.name.startsWith("compensate-")),
      false,
    );
    assert.ok(await cluster.get("configmap", "settings", namespace), "the ConfigMap the up created is kept");
  });
});
