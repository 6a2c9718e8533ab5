import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Caller, SERVICE_CALLER } from "../../../src/jobs/domain/caller";
import { PlatformError } from "../../../src/jobs/domain/platform-error";
import { type JobFixture, startJobFixture } from "../../support/job-fixture";
import {
  deploymentOutcome,
  GREETER,
  stepJobs,
  TEST_TEMPLATE_INSTALLS,
  userWithRole,
} from "../../support/platform-fixture";

const AWAITING = new Set(["awaiting_approval"] as const);

/**
 * Refuses every stack whose name holds "blocked", at the level the pack gives: the Stack resource
 * is the one every program has, so the greeter (which creates nothing else) is enough to check.
 */
const NO_BLOCKED_STACKS = [
  'const { PolicyPack } = require("@pulumi/policy");',
  'new PolicyPack("no-blocked", {',
  "  policies: [{",
  '    name: "no-blocked-stacks",',
  '    description: "Stacks named blocked may not be deployed.",',
  '    enforcementLevel: "mandatory",',
  "    validateResource: (args, reportViolation) => {",
  '      if (args.type === "pulumi:pulumi:Stack" && args.name.includes("blocked"))',
  "        reportViolation(`stack ${args.name} is blocked`);",
  "    },",
  "  }],",
  "});",
  "",
].join("\n");

/** In TypeScript, mandatory in the pack: a tenant's attachment turns it advisory. */
const NAME_LENGTH_HINT = [
  'import { PolicyPack, type ResourceValidationArgs } from "@pulumi/policy";',
  "const longest: number = 12;",
  'new PolicyPack("name-hints", {',
  "  policies: [{",
  '    name: "short-stack-names",',
  '    description: "Stack names read best short.",',
  '    enforcementLevel: "mandatory",',
  "    validateResource: (args: ResourceValidationArgs, reportViolation: (message: string) => void) => {",
  '      if (args.type === "pulumi:pulumi:Stack" && args.name.length > longest)',
  "        reportViolation(`${args.name} is longer than ${longest} characters`);",
  "    },",
  "  }],",
  "});",
  "",
].join("\n");

describe("policy packs in the deploy workflow, on the real engine and Temporal dev server", () => {
  let fx: JobFixture;
  let alice: Caller;
  let bob: Caller;
  let dora: Caller;
  const gated = "team-policed";
  const open = "team-open";

  const deploy = (caller: Caller, tenant: string, name: string) =>
    fx.server.platform.stacks.deploy(caller, {
      tenant,
      name,
      template: "greeter",
      parameters: { greeting: "hi" },
      secretParameters: { apiKey: "an-api-key-1234" },
    });

  before(async () => {
    fx = await startJobFixture({ stacks: {}, settings: { templateInstallsDir: TEST_TEMPLATE_INSTALLS } });
    const { governance, catalogue, stacks, policies } = fx.server.platform;
    await governance.createTenant(SERVICE_CALLER, { name: gated });
    await governance.createTenant(SERVICE_CALLER, { name: open });
    alice = await userWithRole(fx.server, "alice", gated, "user");
    bob = await userWithRole(fx.server, "bob", gated, "tenant-admin");
    dora = await userWithRole(fx.server, "dora", open, "user");
    await catalogue.createTemplate(SERVICE_CALLER, { name: "greeter", language: "yaml", source: GREETER });
    await catalogue.publish(SERVICE_CALLER, "greeter");
    await stacks.setDeployPolicy(bob, {
      scope: "tenant",
      ref: gated,
      policy: { requireApproval: true, approverRole: "tenant-admin", approvalTimeoutSeconds: 600 },
    });
    await policies.publish(SERVICE_CALLER, {
      name: "no-blocked",
      language: "javascript",
      files: { "index.js": NO_BLOCKED_STACKS },
    });
    await policies.publish(SERVICE_CALLER, {
      name: "name-hints",
      language: "typescript",
      files: { "index.ts": NAME_LENGTH_HINT },
    });
    await policies.attach(SERVICE_CALLER, { pack: "no-blocked", template: "greeter" });
    await policies.attach(SERVICE_CALLER, { pack: "name-hints", tenant: gated, enforcement: "advisory" });
  });
  after(async () => fx?.close());

  it("stops a deploy at its preview on a mandatory violation: no approval asked, nothing applied", async () => {
    const started = await deploy(alice, gated, "blocked-app");
    const ended = await deploymentOutcome(fx.server, alice, gated, started.deployment.id);
    assert.equal(ended.status, "failed");
    assert.match(
      ended.error ?? "",
      /stopped by mandatory policy: no-blocked\/no-blocked-stacks on pulumi:pulumi:Stack greeter-blocked-app: .*stack greeter-blocked-app is blocked/,
    );
    assert.deepEqual(
      ended.steps.map((s) => [s.name, s.status]),
      [
        ["validate", "succeeded"],
        ["preview", "failed"],
      ],
    );
    assert.equal(ended.approval, null);
    const mandatory = (ended.policyFindings ?? []).filter((f) => f.enforcement === "mandatory");
    assert.deepEqual(
      mandatory.map((f) => [f.pack, f.policy, f.resource.endsWith("::greeter-blocked-app")]),
      [["no-blocked", "no-blocked-stacks", true]],
    );
    const stack = await fx.server.platform.stacks.get(alice, { tenant: gated, name: "blocked-app" });
    assert.equal(stack.status, "failed");
    assert.equal(stack.outputs, null);
  });

  it("shows advisory findings with the plan to approve, and deploys once approved", async () => {
    const { stacks } = fx.server.platform;
    const started = await deploy(alice, gated, "a-long-stack-name");
    const waiting = await deploymentOutcome(fx.server, alice, gated, started.deployment.id, AWAITING);
    assert.deepEqual(
      (waiting.policyFindings ?? []).map((f) => [f.pack, f.policy, f.enforcement]),
      [["name-hints", "short-stack-names", "advisory"]],
    );
    assert.match(waiting.policyFindings?.[0]?.message ?? "", /greeter-a-long-stack-name is longer than 12/);
    await stacks.decide(bob, { tenant: gated, deploymentId: started.deployment.id, decision: "approved" });
    const ended = await deploymentOutcome(fx.server, alice, gated, started.deployment.id);
    assert.equal(ended.status, "succeeded", ended.error ?? "");
    assert.ok(stepJobs(ended).up, "the up ran");
    const stack = await stacks.get(alice, { tenant: gated, name: "a-long-stack-name" });
    assert.equal(stack.status, "deployed");
    assert.equal(stack.outputs?.message, "hi, tenant");
  });

  it("runs a tenant's packs on its own stacks only", async () => {
    const started = await deploy(dora, open, "another-long-name");
    const ended = await deploymentOutcome(fx.server, dora, open, started.deployment.id);
    assert.equal(ended.status, "succeeded", ended.error ?? "");
    assert.deepEqual(ended.policyFindings, [], "the gated tenant's advisory pack did not run here");
  });

  it("lets only a Provider Admin publish or attach, and names every bad field", async () => {
    const { policies } = fx.server.platform;
    await assert.rejects(
      policies.attach(bob, { pack: "no-blocked", tenant: gated, enforcement: "advisory" }),
      (error: unknown) => error instanceof PlatformError && error.code === "permission_denied",
    );
    await assert.rejects(
      policies.publish(SERVICE_CALLER, {
        name: "Bad Name",
        language: "javascript",
        files: { "index.js": "const x = ;\n", "package.json": "{}" },
        dependencies: { "@pulumi/policy": "1.0.0" },
      }),
      (error: unknown) => {
        assert.ok(error instanceof PlatformError, String(error));
        const at = error.problems.map((p) => p.at).sort();
        assert.deepEqual(at, [
          "dependencies.@pulumi/policy",
          "files/index.js:1:1",
          "files/package.json",
          "name",
        ]);
        return true;
      },
    );
    await assert.rejects(
      policies.attach(SERVICE_CALLER, { pack: "no-such-pack", template: "greeter" }),
      (error: unknown) =>
        error instanceof PlatformError && error.code === "not_found" && error.problems[0]?.at === "pack",
    );
    assert.deepEqual(
      (await policies.list(SERVICE_CALLER)).map((p) => [p.name, p.version]),
      [
        ["name-hints", 1],
        ["no-blocked", 1],
      ],
    );
  });
});
