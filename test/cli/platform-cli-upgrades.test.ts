import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPlatformClient, type PlatformClient } from "../../src/jobs/api/client";
import {
  DeploymentStatus,
  Language,
  Role,
  StackStatus,
} from "../../src/jobs/api/gen/stackwright/platform/v1/platform_pb";
import { cliAs, outputLines } from "../support/cli-process";
import { type JobFixture, startJobFixture } from "../support/job-fixture";
import { TEST_TEMPLATE_INSTALLS } from "../support/platform-fixture";

const SERVICE_TOKEN = "upgrades-cli-service-token-4e7b1d";

/** A YAML program with no resources whose message says which version made it. */
const greeter = (version: number) => ({
  files: {
    "Pulumi.yaml": `name: greeter\nruntime: yaml\noutputs:\n  message: hello from version ${version}\n`,
  },
  dependencies: {},
  parameters: { type: "object", properties: {} },
});

describe("stackwright upgrades against a running service", () => {
  let fx: JobFixture;
  let api: PlatformClient;
  const tokens = new Map<string, string>();
  const as = (user: string) =>
    cliAs(
      () => fx.server.url,
      () => tokens.get(user) ?? "",
    );

  before(async () => {
    fx = await startJobFixture({
      stacks: {},
      settings: { templateInstallsDir: TEST_TEMPLATE_INSTALLS },
      server: { token: SERVICE_TOKEN },
    });
    api = createPlatformClient({
      baseUrl: fx.server.url as string,
      token: SERVICE_TOKEN,
      transport: "connect-json",
    });
    await api.governance.createTenant({ name: "team-a" });
    for (const [user, role] of [
      ["alice", Role.USER],
      ["bob", Role.TENANT_ADMIN],
    ] as const) {
      await api.governance.createUser({ name: user });
      await api.governance.setMembership({ tenant: "team-a", user, role });
      tokens.set(user, (await api.governance.issueToken({ user, name: "test" })).token);
    }
    await api.catalog.createTemplate({ name: "greeter", language: Language.YAML, source: greeter(1) });
    await api.catalog.publishTemplate({ template: "greeter" });
    const started = await Promise.all(
      ["web", "api"].map((name) => api.stacks.deployStack({ tenant: "team-a", name, template: "greeter" })),
    );
    for (const { deployment } of started)
      for (;;) {
        const now = await api.stacks.getDeployment({ tenant: "team-a", deploymentId: deployment?.id ?? "" });
        if (now.status === DeploymentStatus.SUCCEEDED) break;
        assert.equal(now.status, DeploymentStatus.RUNNING, now.error);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    await api.catalog.saveDraft({ template: "greeter", source: greeter(2) });
    await api.catalog.publishTemplate({ template: "greeter" });
  });
  after(async () => fx?.close());

  it("upgrades start --watch follows the batch through its approval (upgrades approve, by another) to every stack upgraded", async () => {
    const watching = as("alice")([
      "upgrades",
      "start",
      "greeter",
      "--tenant",
      "team-a",
      "--version",
      "2",
      "--stacks",
      "web,api",
      "--watch",
    ]);
    let upgradeId = "";
    for (const deadline = Date.now() + 120_000; upgradeId === ""; ) {
      const [batch] = (await api.upgrades.listUpgrades({ tenant: "team-a" })).upgrades;
      if (batch?.status === DeploymentStatus.AWAITING_APPROVAL) upgradeId = batch.id;
      assert.ok(Date.now() < deadline, "no batch awaiting approval after 2 minutes");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const approved = await as("bob")([
      "upgrades",
      "approve",
      upgradeId,
      "--tenant",
      "team-a",
      "--comment",
      "both",
    ]);
    assert.equal(approved.code, 0, approved.stderr);
    assert.equal(approved.stdout, `upgrade ${upgradeId} running\n`);

    const run = await watching;
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const out = outputLines(run.stdout);
    assert.equal(out[0], `upgrade ${upgradeId} running`);
    assert.equal(out.at(-1), `upgrade ${upgradeId} succeeded`);
    const gate = out.indexOf(
      `upgrade ${upgradeId} awaiting approval of 2 stacks, plan ${/plan (sha256:\S+)$/m.exec(run.stdout)?.[1]}`,
    );
    assert.ok(gate > 0, run.stdout);
    assert.deepEqual(out.slice(gate + 1, gate + 5), [
      "  approver role: tenant-admin (not alice, who started it)",
      out[gate + 2] ?? "",
      `approve: stackwright upgrades approve ${upgradeId} --tenant team-a [--comment TEXT]`,
      `reject:  stackwright upgrades reject ${upgradeId} --tenant team-a [--comment TEXT]`,
    ]);
    assert.ok(out.includes(`upgrade ${upgradeId} approved by bob`), run.stdout);
    for (const stack of ["web", "api"]) {
      assert.ok(
        out.some((line) => new RegExp(`^${stack}: plan sha256:[0-9a-f]{64}`).test(line)),
        run.stdout,
      );
      assert.ok(
        out.some((line) => new RegExp(`^${stack}: up succeeded job \\S+$`).test(line)),
        run.stdout,
      );
      assert.ok(out.includes(`${stack}: succeeded`), run.stdout);
      const now = await api.stacks.getStack({ tenant: "team-a", name: stack });
      assert.deepEqual([now.status, now.templateVersion], [StackStatus.DEPLOYED, 2]);
      assert.equal(now.outputs?.message, "hello from version 2");
    }
    // In the batch's order: web's up ended before api's started.
    assert.ok(
      out.findIndex((line) => line.startsWith("web: up succeeded")) <
        out.findIndex((line) => line.startsWith("api: up running")),
      run.stdout,
    );

    const shown = await as("alice")(["upgrades", "get", upgradeId, "--tenant", "team-a"]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^status: +succeeded$/m);
    assert.match(shown.stdout, /^approval: +approved by bob \(role tenant-admin\)$/m);
    assert.match(shown.stdout, /^web +1 +\S+ +succeeded +sha256:/m);
  });
});
