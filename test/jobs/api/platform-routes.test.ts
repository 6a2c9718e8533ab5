import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { createPlatformClient, type PlatformClient } from "../../../src/jobs/api/client";
import {
  ApprovalDecision,
  type Deployment,
  DeploymentKind,
  DeploymentStatus,
  DeploymentStepName,
  DeploymentStepStatus,
  DeployPolicyScope,
  FailurePolicy,
  Governance,
  Language,
  Role,
  StackStatus,
  TemplateCatalog,
  TenantStacks,
  VersionState,
} from "../../../src/jobs/api/gen/stackwright/platform/v1/platform_pb";
import {
  PolicyEnforcement,
  PolicyPackLanguage,
  PolicyPacks,
} from "../../../src/jobs/api/gen/stackwright/platform/v1/policy_packs_pb";
import { Upgrades } from "../../../src/jobs/api/gen/stackwright/platform/v1/upgrades_pb";
import { type JobFixture, startJobFixture } from "../../support/job-fixture";
import { TEST_TEMPLATE_INSTALLS } from "../../support/platform-fixture";

const SERVICE_TOKEN = "service-token-7c1d9e3a5b2f4a60";

const source = (greeting = "hello") => ({
  files: {
    "Pulumi.yaml":
      "name: greeter\nruntime: yaml\nconfig:\n  greeting:\n    type: string\noutputs:\n  message: ${greeting}\n",
  },
  dependencies: {},
  parameters: {
    type: "object",
    properties: { greeting: { type: "string", default: greeting } },
  },
});

/** The tenant roles, lowest first, and Provider Admin (a user's flag, every tenant). */
const LEVELS = ["read-only", "user", "tenant-admin", "provider-admin"] as const;
type Level = (typeof LEVELS)[number];
const ROLE_OF: Record<Exclude<Level, "provider-admin">, Role> = {
  "read-only": Role.READ_ONLY,
  user: Role.USER,
  "tenant-admin": Role.TENANT_ADMIN,
};

async function code(call: Promise<unknown>): Promise<Code | "ok"> {
  try {
    await call;
    return "ok";
  } catch (error) {
    if (error instanceof ConnectError) return error.code;
    throw error;
  }
}

/** The code and message a call is refused with. */
async function refusal(call: Promise<unknown>): Promise<[Code, string]> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ConnectError) return [error.code, error.rawMessage];
    throw error;
  }
  assert.fail("expected a refusal");
}

/** A policy pack whose one policy never reports anything. */
const PASSING_PACK =
  'const { PolicyPack } = require("@pulumi/policy");\n' +
  'new PolicyPack("matrix", { policies: [{ name: "none", description: "reports nothing", ' +
  'enforcementLevel: "advisory", validateResource: () => undefined }] });\n';

describe("platform API: the permission matrix and tenant isolation, over the wire", () => {
  let fx: JobFixture;
  let service: PlatformClient;
  const clients = new Map<string, PlatformClient>();
  const tokens = new Map<string, string>();
  let url: string;
  let counter = 0;
  const fresh = (prefix: string) => `${prefix}-${++counter}`;

  /** A user with `level` in `tenant` (or Provider Admin), and a client signed in as them. */
  async function member(name: string, tenant: string, level: Level): Promise<PlatformClient> {
    await service.governance.createUser({ name, providerAdmin: level === "provider-admin" });
    if (level !== "provider-admin")
      await service.governance.setMembership({ tenant, user: name, role: ROLE_OF[level] });
    const { token } = await service.governance.issueToken({ user: name, name: "test" });
    tokens.set(name, token);
    const client = createPlatformClient({ baseUrl: url, token, transport: "connect-json" });
    clients.set(name, client);
    return client;
  }

  /**
   * Polls the deployment until it ends — or, unless `ended`, waits for approval — and returns it (a
   * deployment must never hang a test).
   */
  async function settledDeployment(tenant: string, deploymentId: string, ended = false): Promise<Deployment> {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const deployment = await service.stacks.getDeployment({ tenant, deploymentId });
      const open = [DeploymentStatus.RUNNING, ...(ended ? [DeploymentStatus.AWAITING_APPROVAL] : [])];
      if (!open.includes(deployment.status)) return deployment;
      assert.ok(Date.now() < deadline, `deployment ${deploymentId} still running after 3 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** A stack of `template` deployed (without a gate): its name, its deployment and the up's job. */
  async function deployedStack(
    tenant: string,
    template = "greeter",
  ): Promise<{ name: string; jobId: string; deploymentId: string }> {
    const name = fresh("stack");
    const { deployment } = await service.stacks.deployStack({ tenant, name, template });
    const ended = await settledDeployment(tenant, deployment?.id ?? "");
    assert.equal(ended.status, DeploymentStatus.SUCCEEDED, ended.error);
    assert.equal((await service.stacks.getStack({ tenant, name })).status, StackStatus.DEPLOYED);
    const up = ended.steps.find((step) => step.name === DeploymentStepName.UP);
    assert.ok(up?.jobId, "the up ran a job");
    return { name, jobId: up.jobId, deploymentId: ended.id };
  }

  /** A deploy of the gated template waiting for approval, started by `as` (default: the service). */
  async function pendingApproval(tenant: string, as = service): Promise<string> {
    const { deployment } = await as.stacks.deployStack({ tenant, name: fresh("gated"), template: "gated" });
    const waiting = await settledDeployment(tenant, deployment?.id ?? "");
    assert.equal(waiting.status, DeploymentStatus.AWAITING_APPROVAL, waiting.error);
    return waiting.id;
  }

  /**
   * A stack of `upgradable` on version 1: its deploy, gated as that template's are, rejected by the
   * tenant's admin, so it stands `pending` after a preview alone (an up each would double the jobs).
   */
  async function oldStack(tenant: string): Promise<string> {
    const name = fresh("old");
    const { deployment } = await service.stacks.deployStack({
      tenant,
      name,
      template: "upgradable",
      version: 1,
    });
    const deploymentId = deployment?.id ?? "";
    const waiting = await settledDeployment(tenant, deploymentId);
    assert.equal(waiting.status, DeploymentStatus.AWAITING_APPROVAL, waiting.error);
    const admin = clients.get(`${tenant === "team-a" ? "a" : "b"}-tenant-admin`) as PlatformClient;
    await admin.stacks.rejectDeployment({ tenant, deploymentId });
    assert.equal((await settledDeployment(tenant, deploymentId, true)).status, DeploymentStatus.REJECTED);
    return name;
  }

  /** A batch of the service's moving a stack of version 1 to version 2, once it waits for approval. */
  async function upgradeOf(tenant: string): Promise<string> {
    const batch = await service.upgrades.startUpgrade({
      tenant,
      template: "upgradable",
      version: 2,
      stacks: [await oldStack(tenant)],
    });
    const deadline = Date.now() + 180_000;
    for (;;) {
      const now = await service.upgrades.getUpgrade({ tenant, upgradeId: batch.id });
      if (now.status !== DeploymentStatus.RUNNING) return now.id;
      assert.ok(Date.now() < deadline, `upgrade ${batch.id} still running after 3 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function tenantTemplate(tenant: string): Promise<string> {
    const name = fresh("own");
    await service.catalog.createTemplate({
      name,
      language: Language.YAML,
      ownerTenant: tenant,
      source: source(),
    });
    return name;
  }

  before(async () => {
    fx = await startJobFixture({
      stacks: {},
      settings: { templateInstallsDir: TEST_TEMPLATE_INSTALLS },
      server: { token: SERVICE_TOKEN },
    });
    url = fx.server.url as string;
    service = createPlatformClient({ baseUrl: url, token: SERVICE_TOKEN, transport: "connect-json" });
    await service.governance.createTenant({ name: "team-a" });
    await service.governance.createTenant({ name: "team-b" });
    await service.catalog.createTemplate({ name: "greeter", language: Language.YAML, source: source() });
    await service.catalog.publishTemplate({ template: "greeter" });
    // A template never deployed here, and a pack to attach to it and detach again.
    await service.catalog.createTemplate({ name: "undeployed", language: Language.YAML, source: source() });
    await service.policies.publishPolicyPack({
      name: "matrix-pack",
      language: PolicyPackLanguage.JAVASCRIPT,
      files: { "index.js": PASSING_PACK },
    });
    // A template with a version 2 to upgrade stacks of version 1 to.
    await service.catalog.createTemplate({ name: "upgradable", language: Language.YAML, source: source() });
    await service.catalog.publishTemplate({ template: "upgradable" });
    await service.catalog.saveDraft({ template: "upgradable", source: source("hi") });
    await service.catalog.publishTemplate({ template: "upgradable" });
    await service.stacks.setDeployPolicy({
      scope: DeployPolicyScope.TEMPLATE,
      ref: "upgradable",
      policy: { requireApproval: true, approverRole: Role.TENANT_ADMIN, approvalTimeoutSeconds: 3600 },
    });
    // The provider's template whose draft only a Provider Admin previews a stack with.
    await service.catalog.createTemplate({ name: "drafted", language: Language.YAML, source: source() });
    await service.catalog.publishTemplate({ template: "drafted" });
    // The provider's template whose deploys wait for a Tenant Admin's approval.
    await service.catalog.createTemplate({ name: "gated", language: Language.YAML, source: source() });
    await service.catalog.publishTemplate({ template: "gated" });
    await service.stacks.setDeployPolicy({
      scope: DeployPolicyScope.TEMPLATE,
      ref: "gated",
      policy: {
        requireApproval: true,
        approverRole: Role.TENANT_ADMIN,
        approvalTimeoutSeconds: 3600,
        onFailure: FailurePolicy.KEEP,
      },
    });
    for (const level of LEVELS) {
      await member(`a-${level}`, "team-a", level);
      if (level !== "provider-admin") await member(`b-${level}`, "team-b", level);
    }
  });
  after(async () => fx?.close());

  /**
   * Every RPC, the lowest level it needs in team-a, and a call that succeeds for anyone at that
   * level (setting up with the service's token whatever the call needs, so each call stands alone).
   */
  const MATRIX: {
    rpc: string;
    needs: Level | "anyone";
    call: (c: PlatformClient, who: string) => Promise<unknown>;
  }[] = [
    { rpc: "ListTemplates", needs: "read-only", call: (c) => c.catalog.listTemplates({ tenant: "team-a" }) },
    {
      rpc: "GetTemplate",
      needs: "read-only",
      call: (c) => c.catalog.getTemplate({ tenant: "team-a", template: "greeter" }),
    },
    {
      rpc: "GetStack",
      needs: "read-only",
      call: async (c) => c.stacks.getStack({ tenant: "team-a", name: (await shared()).name }),
    },
    { rpc: "ListStacks", needs: "read-only", call: (c) => c.stacks.listStacks({ tenant: "team-a" }) },
    {
      rpc: "ListCredentials",
      needs: "read-only",
      call: (c) => c.stacks.listCredentials({ tenant: "team-a" }),
    },
    {
      rpc: "ListMemberships",
      needs: "read-only",
      call: (c) => c.governance.listMemberships({ tenant: "team-a" }),
    },
    {
      rpc: "ListConstraints",
      needs: "read-only",
      call: (c) => c.governance.listConstraints({ tenant: "team-a" }),
    },
    {
      rpc: "GetStackJob",
      needs: "read-only",
      call: async (c) => c.stacks.getStackJob({ tenant: "team-a", jobId: (await shared()).jobId }),
    },
    {
      rpc: "WatchStackJob",
      needs: "read-only",
      call: async (c) => {
        for await (const _event of c.stacks.watchStackJob({
          tenant: "team-a",
          jobId: (await shared()).jobId,
        }))
          break;
      },
    },
    {
      rpc: "GetDeployment",
      needs: "read-only",
      call: async (c) =>
        c.stacks.getDeployment({ tenant: "team-a", deploymentId: (await shared()).deploymentId }),
    },
    {
      rpc: "WatchDeployment",
      needs: "read-only",
      call: async (c) => {
        const statuses: DeploymentStatus[] = [];
        for await (const snapshot of c.stacks.watchDeployment({
          tenant: "team-a",
          deploymentId: (await shared()).deploymentId,
        }))
          statuses.push(snapshot.status);
        assert.deepEqual(statuses, [DeploymentStatus.SUCCEEDED], "one snapshot of an ended deployment");
      },
    },
    {
      rpc: "ListStackDeployments",
      needs: "read-only",
      call: async (c) => c.stacks.listStackDeployments({ tenant: "team-a", name: (await shared()).name }),
    },
    {
      rpc: "ListPendingApprovals",
      needs: "read-only",
      call: (c) => c.stacks.listPendingApprovals({ tenant: "team-a" }),
    },
    {
      rpc: "DeployStack",
      needs: "user",
      call: (c) => c.stacks.deployStack({ tenant: "team-a", name: fresh("deploy"), template: "greeter" }),
    },
    {
      rpc: "PreviewStack",
      needs: "user",
      call: async (c) => c.stacks.previewStack({ tenant: "team-a", name: (await shared()).name }),
    },
    {
      rpc: "PreviewStack with the draft of the tenant's template",
      needs: "tenant-admin",
      call: async (c) =>
        c.stacks.previewStack({ tenant: "team-a", name: (await draftedStacks()).own, version: 2 }),
    },
    {
      rpc: "PreviewStack with the draft of the provider's template",
      needs: "provider-admin",
      call: async (c) =>
        c.stacks.previewStack({ tenant: "team-a", name: (await draftedStacks()).providers, version: 2 }),
    },
    {
      rpc: "DestroyStack",
      needs: "tenant-admin",
      call: async (c) =>
        c.stacks.destroyStack({ tenant: "team-a", name: (await deployedStack("team-a")).name }),
    },
    {
      rpc: "SetCredential",
      needs: "tenant-admin",
      call: (c) => c.stacks.setCredential({ tenant: "team-a", name: "CLOUD_KEY", value: "k-123456" }),
    },
    {
      rpc: "StartUpgrade",
      needs: "user",
      // A Read-Only member is refused before any stack is looked at: theirs names none.
      call: async (c, who) =>
        c.upgrades.startUpgrade({
          tenant: "team-a",
          template: "upgradable",
          version: 2,
          stacks: [who === "a-read-only" ? "none" : await spare.oldStack()],
        }),
    },
    { rpc: "ApproveUpgrade", needs: "tenant-admin", call: (c) => decideUpgrade(c, "approve") },
    { rpc: "RejectUpgrade", needs: "tenant-admin", call: (c) => decideUpgrade(c, "reject") },
    {
      rpc: "GetUpgrade",
      needs: "read-only",
      call: async (c) => c.upgrades.getUpgrade({ tenant: "team-a", upgradeId: await sharedUpgrade() }),
    },
    { rpc: "ListUpgrades", needs: "read-only", call: (c) => c.upgrades.listUpgrades({ tenant: "team-a" }) },
    {
      rpc: "WatchUpgrade",
      needs: "read-only",
      call: async (c) => {
        const statuses: DeploymentStatus[] = [];
        for await (const snapshot of c.upgrades.watchUpgrade({
          tenant: "team-a",
          upgradeId: await sharedUpgrade(),
        }))
          statuses.push(snapshot.status);
        assert.deepEqual(statuses, [DeploymentStatus.REJECTED], "one snapshot of an ended batch");
      },
    },
    { rpc: "ApproveDeployment", needs: "tenant-admin", call: (c) => decideAtGate(c, "approve") },
    { rpc: "RejectDeployment", needs: "tenant-admin", call: (c) => decideAtGate(c, "reject") },
    {
      rpc: "SetDeployPolicy",
      needs: "tenant-admin",
      call: (c) =>
        c.stacks.setDeployPolicy({
          scope: DeployPolicyScope.TENANT,
          ref: "team-a",
          policy: { requireApproval: false, onFailure: FailurePolicy.DESTROY },
        }),
    },
    {
      rpc: "CreateTemplate",
      needs: "tenant-admin",
      call: (c) =>
        c.catalog.createTemplate({
          name: fresh("t"),
          language: Language.YAML,
          ownerTenant: "team-a",
          source: source(),
        }),
    },
    {
      rpc: "SaveDraft",
      needs: "tenant-admin",
      call: async (c) =>
        c.catalog.saveDraft({ template: await tenantTemplate("team-a"), source: source("hi") }),
    },
    {
      rpc: "PublishTemplate",
      needs: "tenant-admin",
      call: async (c) => c.catalog.publishTemplate({ template: await tenantTemplate("team-a") }),
    },
    {
      rpc: "DeprecateVersion",
      needs: "tenant-admin",
      call: async (c) => {
        const template = await tenantTemplate("team-a");
        await service.catalog.publishTemplate({ template });
        return c.catalog.deprecateVersion({ template, version: 1 });
      },
    },
    {
      rpc: "DeleteTemplate",
      needs: "tenant-admin",
      call: async (c) => c.catalog.deleteTemplate({ template: await tenantTemplate("team-a") }),
    },
    {
      rpc: "SetMembership",
      needs: "tenant-admin",
      call: async (c) => {
        const name = fresh("joiner");
        await service.governance.createUser({ name });
        return c.governance.setMembership({ tenant: "team-a", user: name, role: Role.READ_ONLY });
      },
    },
    {
      rpc: "RemoveMembership",
      needs: "tenant-admin",
      call: async (c) => {
        const name = fresh("leaver");
        await service.governance.createUser({ name });
        await service.governance.setMembership({ tenant: "team-a", user: name, role: Role.USER });
        return c.governance.removeMembership({ tenant: "team-a", user: name });
      },
    },
    {
      rpc: "QueryAuditLog",
      needs: "tenant-admin",
      call: (c) => c.governance.queryAuditLog({ tenant: "team-a" }),
    },
    {
      rpc: "PublishPolicyPack",
      needs: "provider-admin",
      call: (c) =>
        c.policies.publishPolicyPack({
          name: fresh("pack"),
          language: PolicyPackLanguage.JAVASCRIPT,
          files: { "index.js": PASSING_PACK },
        }),
    },
    { rpc: "ListPolicyPacks", needs: "provider-admin", call: (c) => c.policies.listPolicyPacks({}) },
    {
      rpc: "AttachPolicyPack",
      needs: "provider-admin",
      call: (c) =>
        c.policies.attachPolicyPack({
          pack: "matrix-pack",
          template: "undeployed",
          enforcement: PolicyEnforcement.ADVISORY,
        }),
    },
    {
      rpc: "DetachPolicyPack",
      needs: "provider-admin",
      call: async (c) => {
        await service.policies.attachPolicyPack({ pack: "matrix-pack", tenant: "team-a" });
        return c.policies.detachPolicyPack({ pack: "matrix-pack", tenant: "team-a" });
      },
    },
    {
      rpc: "ListPolicyAttachments",
      needs: "provider-admin",
      call: (c) => c.policies.listPolicyAttachments({ tenant: "team-a" }),
    },
    {
      rpc: "SetConstraint",
      needs: "provider-admin",
      call: (c) =>
        c.governance.setConstraint({
          template: "greeter",
          tenant: "team-a",
          constraint: { maxInstances: 50 },
        }),
    },
    {
      rpc: "RemoveConstraint",
      needs: "provider-admin",
      call: async (c) => {
        await service.governance.setConstraint({
          template: "greeter",
          tenant: "team-a",
          constraint: { maxInstances: 50 },
        });
        return c.governance.removeConstraint({ template: "greeter", tenant: "team-a" });
      },
    },
    {
      rpc: "CreateTenant",
      needs: "provider-admin",
      call: (c) => c.governance.createTenant({ name: fresh("tenant") }),
    },
    {
      rpc: "CreateUser",
      needs: "provider-admin",
      call: (c) => c.governance.createUser({ name: fresh("user") }),
    },
    { rpc: "ListUsers", needs: "provider-admin", call: (c) => c.governance.listUsers({}) },
    { rpc: "ListTenants", needs: "anyone", call: (c) => c.governance.listTenants({}) },
    { rpc: "IssueToken", needs: "anyone", call: (c) => c.governance.issueToken({ name: "another" }) },
    { rpc: "ListTokens", needs: "anyone", call: (c) => c.governance.listTokens({}) },
    {
      rpc: "RevokeToken",
      needs: "anyone",
      call: async (c) => {
        const { info } = await c.governance.issueToken({ name: "to-revoke" });
        return c.governance.revokeToken({ id: info?.id ?? "" });
      },
    },
  ];

  let sharedStack: Promise<{ name: string; jobId: string; deploymentId: string }> | undefined;
  const shared = () => {
    sharedStack ??= deployedStack("team-a");
    return sharedStack;
  };

  /**
   * Stacks of team-a on version 1 of a template of team-a's own and of the provider's, each
   * template with a draft version 2: who may preview a stack with a draft is who manages it.
   */
  let drafted: Promise<{ own: string; providers: string }> | undefined;
  const draftedStacks = () => {
    drafted ??= (async () => {
      const template = await tenantTemplate("team-a");
      await service.catalog.publishTemplate({ template });
      const [own, providers] = await Promise.all([
        deployedStack("team-a", template),
        deployedStack("team-a", "drafted"),
      ]);
      for (const name of [template, "drafted"])
        await service.catalog.saveDraft({ template: name, source: source("hey") });
      return { own: own.name, providers: providers.name };
    })();
    return drafted;
  };

  /**
   * Approves or rejects a deployment waiting at its gate in team-a: a refused call leaves it
   * waiting for the next caller; a decided one is used up, and the next call gets a new one.
   */
  const gates = new Map<string, Promise<string>>();
  async function decideAtGate(c: PlatformClient, decision: "approve" | "reject") {
    let gate = gates.get(decision);
    if (gate === undefined) {
      gate = pendingApproval("team-a");
      gates.set(decision, gate);
    }
    const request = { tenant: "team-a", deploymentId: await gate, comment: `matrix ${decision}` };
    const decided =
      decision === "approve"
        ? await c.stacks.approveDeployment(request)
        : await c.stacks.rejectDeployment(request);
    gates.delete(decision);
    return decided;
  }

  /** The first batch the matrix rejected (RejectUpgrade comes before the reads), once it has ended. */
  let rejectedBatch: string | undefined;
  const sharedUpgrade = () => {
    assert.ok(rejectedBatch !== undefined, "RejectUpgrade ran before the reads of a batch");
    return endedUpgrade("team-a", rejectedBatch);
  };

  async function endedUpgrade(tenant: string, upgradeId: string): Promise<string> {
    for (const started = Date.now(); ; ) {
      const batch = await service.upgrades.getUpgrade({ tenant, upgradeId });
      if (batch.status === DeploymentStatus.REJECTED) return upgradeId;
      assert.ok(Date.now() - started < 60_000, `upgrade ${upgradeId} still ${batch.status}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * What the matrix's upgrade calls use up, made together on first use (deploys and previews run
   * side by side, where one at a time would add half a minute): team-a's stacks at version 1, and
   * its batches waiting for approval, for the two gates each decided twice.
   */
  const spare = (() => {
    let stacks: Promise<string>[] | undefined;
    let batches: Promise<string>[] | undefined;
    const take = (pool: Promise<string>[]) => {
      const next = pool.shift();
      assert.ok(next !== undefined, "the matrix used more than it made");
      return next;
    };
    return {
      oldStack: () => {
        stacks ??= Array.from({ length: 3 }, () => oldStack("team-a"));
        return take(stacks);
      },
      upgrade: () => {
        batches ??= Array.from({ length: 4 }, () => upgradeOf("team-a"));
        return take(batches);
      },
    };
  })();

  /** As decideAtGate, for upgrade batches waiting for approval in team-a. */
  const upgradeGates = new Map<string, Promise<string>>();
  async function decideUpgrade(c: PlatformClient, decision: "approve" | "reject") {
    let gate = upgradeGates.get(decision);
    if (gate === undefined) {
      gate = spare.upgrade();
      upgradeGates.set(decision, gate);
    }
    const request = { tenant: "team-a", upgradeId: await gate, comment: `matrix ${decision}` };
    const decided =
      decision === "approve"
        ? await c.upgrades.approveUpgrade(request)
        : await c.upgrades.rejectUpgrade(request);
    upgradeGates.delete(decision);
    if (decision === "reject") rejectedBatch ??= decided.id;
    return decided;
  }

  it("has every RPC of the platform's services in its permission matrix", () => {
    assert.deepEqual(
      [...new Set(MATRIX.map((entry) => entry.rpc.split(" ")[0]))].sort(),
      [TemplateCatalog, TenantStacks, Governance, PolicyPacks, Upgrades]
        .flatMap((service) => service.methods.map((m) => m.name))
        .sort(),
    );
  });

  it("allows every role exactly the RPCs its permissions cover, and refuses the rest PERMISSION_DENIED", async () => {
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const { rpc, needs, call } of MATRIX)
      for (const level of LEVELS) {
        const client = clients.get(`a-${level}`) as PlatformClient;
        const allowed = needs === "anyone" || LEVELS.indexOf(level) >= LEVELS.indexOf(needs);
        outcomes.push(`${rpc} as ${level}: ${String(await code(call(client, `a-${level}`)))}`);
        expected.push(`${rpc} as ${level}: ${allowed ? "ok" : String(Code.PermissionDenied)}`);
      }
    assert.deepEqual(outcomes, expected);
    assert.equal(outcomes.length, MATRIX.length * LEVELS.length);
  });

  /** Every tenant-scoped RPC aimed at `victim`'s records by a member of `attacker`. */
  interface VictimRecords {
    stack: string;
    jobId: string;
    deploymentId: string;
    /** A deployment of the victim's waiting for approval. */
    pending: string;
    /** An upgrade batch of the victim's waiting for approval, and the stack it holds. */
    upgrade: string;
    oldStack: string;
    template: string;
    user: string;
  }

  /** RPCs that name no tenant's record: Provider Admin's alone, or the caller's own. */
  const NOT_TENANT_SCOPED = [
    "CreateTenant",
    "ListTenants",
    "CreateUser",
    "ListUsers",
    "SetConstraint",
    "RemoveConstraint",
    ...PolicyPacks.methods.map((m) => m.name),
  ];

  function attacksOn(
    victim: string,
    attacker: string,
    records: VictimRecords,
  ): [string, (c: PlatformClient) => Promise<unknown>][] {
    const { stack, jobId, deploymentId, pending, template, user, upgrade, oldStack } = records;
    const watch = async (c: PlatformClient, tenant: string) => {
      for await (const _d of c.stacks.watchDeployment({ tenant, deploymentId })) break;
    };
    const watchUpgrade = async (c: PlatformClient, tenant: string) => {
      for await (const _b of c.upgrades.watchUpgrade({ tenant, upgradeId: upgrade })) break;
    };
    const upgradeOfVictim = (tenant: string) => ({
      tenant,
      template: "upgradable",
      version: 2,
      stacks: [oldStack],
    });
    return [
      ["StartUpgrade", (c) => c.upgrades.startUpgrade(upgradeOfVictim(victim))],
      [
        "StartUpgrade of the victim's stack through own tenant",
        (c) => c.upgrades.startUpgrade(upgradeOfVictim(attacker)),
      ],
      ["GetUpgrade", (c) => c.upgrades.getUpgrade({ tenant: victim, upgradeId: upgrade })],
      [
        "GetUpgrade through own tenant",
        (c) => c.upgrades.getUpgrade({ tenant: attacker, upgradeId: upgrade }),
      ],
      ["ListUpgrades", (c) => c.upgrades.listUpgrades({ tenant: victim })],
      ["WatchUpgrade", (c) => watchUpgrade(c, victim)],
      ["WatchUpgrade through own tenant", (c) => watchUpgrade(c, attacker)],
      ["ApproveUpgrade", (c) => c.upgrades.approveUpgrade({ tenant: victim, upgradeId: upgrade })],
      [
        "ApproveUpgrade through own tenant",
        (c) => c.upgrades.approveUpgrade({ tenant: attacker, upgradeId: upgrade }),
      ],
      ["RejectUpgrade", (c) => c.upgrades.rejectUpgrade({ tenant: victim, upgradeId: upgrade })],
      [
        "RejectUpgrade through own tenant",
        (c) => c.upgrades.rejectUpgrade({ tenant: attacker, upgradeId: upgrade }),
      ],
      ["ApproveDeployment", (c) => c.stacks.approveDeployment({ tenant: victim, deploymentId: pending })],
      [
        "ApproveDeployment through own tenant",
        (c) => c.stacks.approveDeployment({ tenant: attacker, deploymentId: pending }),
      ],
      ["RejectDeployment", (c) => c.stacks.rejectDeployment({ tenant: victim, deploymentId: pending })],
      [
        "RejectDeployment through own tenant",
        (c) => c.stacks.rejectDeployment({ tenant: attacker, deploymentId: pending }),
      ],
      ["ListPendingApprovals", (c) => c.stacks.listPendingApprovals({ tenant: victim })],
      ["ListStackDeployments", (c) => c.stacks.listStackDeployments({ tenant: victim, name: stack })],
      ["GetDeployment", (c) => c.stacks.getDeployment({ tenant: victim, deploymentId })],
      ["GetDeployment through own tenant", (c) => c.stacks.getDeployment({ tenant: attacker, deploymentId })],
      ["WatchDeployment", (c) => watch(c, victim)],
      ["WatchDeployment through own tenant", (c) => watch(c, attacker)],
      [
        "SetDeployPolicy of the victim tenant",
        (c) =>
          c.stacks.setDeployPolicy({
            scope: DeployPolicyScope.TENANT,
            ref: victim,
            policy: { requireApproval: true },
          }),
      ],
      [
        "SetDeployPolicy of the victim's template",
        (c) =>
          c.stacks.setDeployPolicy({
            scope: DeployPolicyScope.TEMPLATE,
            ref: template,
            policy: { requireApproval: true },
          }),
      ],
      ["ListTemplates", (c) => c.catalog.listTemplates({ tenant: victim })],
      ["GetTemplate", (c) => c.catalog.getTemplate({ tenant: victim, template })],
      ["GetTemplate through own tenant", (c) => c.catalog.getTemplate({ tenant: attacker, template })],
      ["GetStack", (c) => c.stacks.getStack({ tenant: victim, name: stack })],
      ["ListStacks", (c) => c.stacks.listStacks({ tenant: victim })],
      ["ListCredentials", (c) => c.stacks.listCredentials({ tenant: victim })],
      ["GetStackJob", (c) => c.stacks.getStackJob({ tenant: victim, jobId })],
      ["GetStackJob through own tenant", (c) => c.stacks.getStackJob({ tenant: attacker, jobId })],
      [
        "WatchStackJob through own tenant",
        async (c) => {
          for await (const _e of c.stacks.watchStackJob({ tenant: attacker, jobId })) break;
        },
      ],
      ["DeployStack", (c) => c.stacks.deployStack({ tenant: victim, name: fresh("x"), template: "greeter" })],
      [
        "DeployStack of the victim's template through own tenant",
        (c) => c.stacks.deployStack({ tenant: attacker, name: fresh("x"), template }),
      ],
      ["PreviewStack", (c) => c.stacks.previewStack({ tenant: victim, name: stack })],
      ["DestroyStack", (c) => c.stacks.destroyStack({ tenant: victim, name: stack })],
      ["SetCredential", (c) => c.stacks.setCredential({ tenant: victim, name: "X", value: "y" })],
      [
        "CreateTemplate",
        (c) =>
          c.catalog.createTemplate({
            name: fresh("x"),
            language: Language.YAML,
            ownerTenant: victim,
            source: source(),
          }),
      ],
      ["SaveDraft", (c) => c.catalog.saveDraft({ template, source: source("pwned") })],
      ["PublishTemplate", (c) => c.catalog.publishTemplate({ template })],
      ["DeprecateVersion", (c) => c.catalog.deprecateVersion({ template, version: 1 })],
      ["DeleteTemplate", (c) => c.catalog.deleteTemplate({ template })],
      [
        "SetMembership",
        (c) =>
          c.governance.setMembership({
            tenant: victim,
            user: `${attacker === "team-a" ? "a" : "b"}-user`,
            role: Role.TENANT_ADMIN,
          }),
      ],
      ["RemoveMembership", (c) => c.governance.removeMembership({ tenant: victim, user })],
      ["ListMemberships", (c) => c.governance.listMemberships({ tenant: victim })],
      ["ListConstraints", (c) => c.governance.listConstraints({ tenant: victim })],
      ["QueryAuditLog", (c) => c.governance.queryAuditLog({ tenant: victim })],
      [
        "RevokeToken of the victim's user",
        (c) => c.governance.revokeToken({ id: tokens.get(user)?.split("_")[1] ?? "" }),
      ],
      ["ListTokens of the victim's user", (c) => c.governance.listTokens({ user })],
      ["IssueToken for the victim's user", (c) => c.governance.issueToken({ user, name: "stolen" })],
    ];
  }

  it("lets no member of one tenant see or change anything of another (every tenant-scoped RPC, every role, both ways)", async () => {
    const records = new Map<string, VictimRecords>();
    for (const [tenant, prefix] of [
      ["team-a", "a"],
      ["team-b", "b"],
    ] as const) {
      const { name, jobId, deploymentId } = await deployedStack(tenant);
      const pending = await pendingApproval(tenant);
      const template = await tenantTemplate(tenant);
      await service.catalog.publishTemplate({ template });
      const upgrade = await upgradeOf(tenant);
      const oldStackName =
        (await service.upgrades.getUpgrade({ tenant, upgradeId: upgrade })).stacks[0]?.stackName ?? "";
      records.set(tenant, {
        stack: name,
        jobId,
        deploymentId,
        pending,
        template,
        user: `${prefix}-user`,
        upgrade,
        oldStack: oldStackName,
      });
    }
    const attacked = new Set(
      attacksOn("team-a", "team-b", records.get("team-a") as VictimRecords).map(
        ([what]) => what.split(" ")[0],
      ),
    );
    assert.deepEqual(
      [
        ...TemplateCatalog.methods,
        ...TenantStacks.methods,
        ...Governance.methods,
        ...PolicyPacks.methods,
        ...Upgrades.methods,
      ]
        .map((m) => m.name)
        .filter((rpc) => !attacked.has(rpc) && !NOT_TENANT_SCOPED.includes(rpc)),
      [],
      "every tenant-scoped RPC is attacked",
    );
    const refusedOrNot: string[] = [];
    let made = 0;
    for (const [victim, attacker, prefix] of [
      ["team-a", "team-b", "b"],
      ["team-b", "team-a", "a"],
    ] as const)
      for (const level of ["read-only", "user", "tenant-admin"] as const)
        for (const [what, attack] of attacksOn(victim, attacker, records.get(victim) as never)) {
          made++;
          const result = await code(attack(clients.get(`${prefix}-${level}`) as PlatformClient));
          // Through the attacker's own tenant a refusal may also be for their own permissions
          // there; either way the victim's record never shows.
          const refused =
            result === Code.NotFound ||
            (what.includes("through own tenant") && result === Code.PermissionDenied);
          if (!refused) refusedOrNot.push(`${what} on ${victim} as ${prefix}-${level}: ${String(result)}`);
        }
    assert.ok(made >= 150, `${made} attacks`);
    assert.deepEqual(refusedOrNot, [], "no attack succeeded, and none learned that the record exists");
    for (const [tenant, { stack, template, pending, upgrade, oldStack: old }] of records) {
      const waiting = await service.stacks.getDeployment({ tenant, deploymentId: pending });
      assert.equal(waiting.status, DeploymentStatus.AWAITING_APPROVAL, "nobody decided on the victim's plan");
      assert.equal(waiting.approval?.decision, ApprovalDecision.UNSPECIFIED);
      const batch = await service.upgrades.getUpgrade({ tenant, upgradeId: upgrade });
      assert.equal(batch.status, DeploymentStatus.AWAITING_APPROVAL, "nobody decided on the victim's batch");
      assert.equal(batch.approval?.decision, ApprovalDecision.UNSPECIFIED);
      const held = await service.stacks.getStack({ tenant, name: old });
      assert.deepEqual([held.status, held.templateVersion], [StackStatus.DEPLOYING, 2], "still the batch's");
      // Neither the tenant's nor its template's deploys were made to wait for an approval.
      await deployedStack(tenant, template);
      const view = await service.catalog.getTemplate({ tenant, template });
      assert.deepEqual(
        view.versions.map((v) => v.source?.parameters?.properties),
        [{ greeting: { type: "string", default: "hello" } }],
        "no draft was saved",
      );
      assert.equal((await service.stacks.getStack({ tenant, name: stack })).status, StackStatus.DEPLOYED);
      const admins = (await service.governance.listMemberships({ tenant })).memberships.filter(
        (m) => m.role === Role.TENANT_ADMIN,
      );
      assert.equal(admins.length, 1, "nobody made themselves an admin");
    }
  });

  it("gates a deploy at its approval, bound to the previewed plan: watched, listed, decided once, by someone else", async () => {
    const tenant = "team-a";
    const admin = clients.get("a-tenant-admin") as PlatformClient;
    const provider = clients.get("a-provider-admin") as PlatformClient;
    const reader = clients.get("a-read-only") as PlatformClient;
    const user = clients.get("a-user") as PlatformClient;
    const name = fresh("gated");
    const { stack, deployment } = await admin.stacks.deployStack({ tenant, name, template: "gated" });
    assert.ok(deployment);
    assert.equal(stack?.status, StackStatus.DEPLOYING);
    assert.deepEqual(
      [deployment.kind, deployment.status, deployment.stackName, deployment.stackId, deployment.startedBy],
      [DeploymentKind.DEPLOY, DeploymentStatus.RUNNING, name, stack?.id, "a-tenant-admin"],
    );
    const deploymentId = deployment.id;
    // A reader follows it from the start to its end.
    const watched: Deployment[] = [];
    const watching = (async () => {
      for await (const snapshot of reader.stacks.watchDeployment({ tenant, deploymentId }))
        watched.push(snapshot);
    })();

    const waiting = await settledDeployment(tenant, deploymentId);
    assert.equal(waiting.status, DeploymentStatus.AWAITING_APPROVAL, waiting.error);
    const approval = waiting.approval;
    assert.ok(approval);
    assert.match(approval.planHash, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(
      [approval.approverRole, approval.requestedBy, approval.decision],
      [Role.TENANT_ADMIN, "a-tenant-admin", ApprovalDecision.UNSPECIFIED],
    );
    assert.equal(Number((approval.expiresAt?.seconds ?? 0n) - (approval.requestedAt?.seconds ?? 0n)), 3600);
    assert.deepEqual(
      waiting.steps.map((step) => [step.name, step.status, step.jobId !== ""]),
      [
        [DeploymentStepName.VALIDATE, DeploymentStepStatus.SUCCEEDED, false],
        [DeploymentStepName.PREVIEW, DeploymentStepStatus.SUCCEEDED, true],
        [DeploymentStepName.APPROVAL, DeploymentStepStatus.RUNNING, false],
      ],
    );
    const listed = await reader.stacks.listPendingApprovals({ tenant });
    const mine = listed.deployments.find((d) => d.id === deploymentId);
    assert.equal(mine?.stackName, name);
    assert.equal(mine?.approval?.planHash, approval.planHash);

    // The watch polls: it sees the gate when the gate lasts, as it does for a person's decision.
    for (
      const deadline = Date.now() + 10_000;
      !watched.some((d) => d.status === DeploymentStatus.AWAITING_APPROVAL);
    ) {
      assert.ok(Date.now() < deadline, "the watch shows the deployment waiting");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    // Whoever started it may not decide on it, whatever their role; a User lacks the approver role.
    assert.deepEqual(await refusal(admin.stacks.approveDeployment({ tenant, deploymentId })), [
      Code.PermissionDenied,
      "deploymentId: you started this deployment: someone else must approve or reject it",
    ]);
    assert.deepEqual(await refusal(user.stacks.rejectDeployment({ tenant, deploymentId })), [
      Code.PermissionDenied,
      "deploymentId: rejecting needs the Tenant Admin role in the tenant",
    ]);
    const approved = await provider.stacks.approveDeployment({
      tenant,
      deploymentId,
      comment: "looks right",
    });
    assert.deepEqual(
      [approved.approval?.decision, approved.approval?.decidedBy, approved.approval?.comment],
      [ApprovalDecision.APPROVED, "a-provider-admin", "looks right"],
    );
    assert.equal(approved.approval?.planHash, approval.planHash, "the decision is on the plan previewed");
    assert.notEqual(approved.status, DeploymentStatus.AWAITING_APPROVAL, "an approved deployment runs on");
    assert.equal(
      (await refusal(provider.stacks.rejectDeployment({ tenant, deploymentId })))[0],
      Code.FailedPrecondition,
      "decided once",
    );

    await watching;
    const ended = watched.at(-1);
    assert.equal(ended?.status, DeploymentStatus.SUCCEEDED, ended?.error);
    assert.equal(watched[0]?.status, DeploymentStatus.RUNNING);
    assert.ok(watched.some((d) => d.status === DeploymentStatus.AWAITING_APPROVAL));
    for (const [i, snapshot] of watched.entries()) {
      if (i > 0) assert.notDeepEqual(snapshot, watched[i - 1], "a snapshot only when the deployment changed");
      if (snapshot.approval?.decision === ApprovalDecision.APPROVED)
        assert.notEqual(snapshot.status, DeploymentStatus.AWAITING_APPROVAL);
    }
    assert.deepEqual(
      ended.steps.map((step) => [step.name, step.status]),
      [
        [DeploymentStepName.VALIDATE, DeploymentStepStatus.SUCCEEDED],
        [DeploymentStepName.PREVIEW, DeploymentStepStatus.SUCCEEDED],
        [DeploymentStepName.APPROVAL, DeploymentStepStatus.SUCCEEDED],
        [DeploymentStepName.UP, DeploymentStepStatus.SUCCEEDED],
      ],
    );
    assert.match(ended.steps[2]?.detail ?? "", /^approved by a-provider-admin: looks right$/);
    const upJob = ended.steps[3]?.jobId ?? "";
    assert.notEqual(upJob, "");
    assert.notEqual(upJob, ended.steps[1]?.jobId, "the up is a job of its own");
    assert.ok(ended.finishedAt);
    const deployed = await reader.stacks.getStack({ tenant, name });
    assert.deepEqual([deployed.status, deployed.lastJobId], [StackStatus.DEPLOYED, upJob]);
    const history = await reader.stacks.listStackDeployments({ tenant, name });
    assert.deepEqual(
      history.deployments.map((d) => [d.id, d.kind, d.status]),
      [[deploymentId, DeploymentKind.DEPLOY, DeploymentStatus.SUCCEEDED]],
    );
    assert.ok(
      !(await reader.stacks.listPendingApprovals({ tenant })).deployments.some((d) => d.id === deploymentId),
    );

    // Rejected: nothing is applied, and a stack never deployed is back to pending.
    const rejectedName = fresh("gated");
    const second = await admin.stacks.deployStack({ tenant, name: rejectedName, template: "gated" });
    const secondId = second.deployment?.id ?? "";
    assert.equal((await settledDeployment(tenant, secondId)).status, DeploymentStatus.AWAITING_APPROVAL);
    const rejected = await provider.stacks.rejectDeployment({
      tenant,
      deploymentId: secondId,
      comment: "no",
    });
    assert.equal(rejected.approval?.decision, ApprovalDecision.REJECTED);
    const over = await settledDeployment(tenant, secondId, true);
    assert.deepEqual([over.status, over.error], [DeploymentStatus.REJECTED, "the plan was rejected"]);
    assert.deepEqual(
      over.steps.map((step) => [step.name, step.status]),
      [
        [DeploymentStepName.VALIDATE, DeploymentStepStatus.SUCCEEDED],
        [DeploymentStepName.PREVIEW, DeploymentStepStatus.SUCCEEDED],
        [DeploymentStepName.APPROVAL, DeploymentStepStatus.FAILED],
      ],
    );
    assert.equal((await reader.stacks.getStack({ tenant, name: rejectedName })).status, StackStatus.PENDING);

    // A deployment that never waited, or none at all.
    const { deploymentId: ungated } = await shared();
    assert.equal(
      (await refusal(provider.stacks.approveDeployment({ tenant, deploymentId: ungated })))[0],
      Code.FailedPrecondition,
    );
    assert.deepEqual(await refusal(reader.stacks.getDeployment({ tenant, deploymentId: "nope" })), [
      Code.NotFound,
      "deploymentId: no deployment nope",
    ]);
    assert.equal(
      (await refusal(reader.stacks.listStackDeployments({ tenant, name: "nope" })))[0],
      Code.NotFound,
    );
  });

  it("previews and destroys as deployments of their own, in the stack's history, newest first", async () => {
    const tenant = "team-a";
    const { name, deploymentId } = await deployedStack(tenant);
    const preview = await service.stacks.previewStack({ tenant, name });
    assert.equal(preview.deployment?.kind, DeploymentKind.PREVIEW);
    const previewed = await settledDeployment(tenant, preview.deployment?.id ?? "");
    assert.equal(previewed.status, DeploymentStatus.SUCCEEDED, previewed.error);
    assert.deepEqual(
      previewed.steps.map((step) => [step.name, step.status]),
      [[DeploymentStepName.PREVIEW, DeploymentStepStatus.SUCCEEDED]],
    );
    assert.equal(previewed.changes.same, 1n);
    const destroy = await service.stacks.destroyStack({ tenant, name });
    assert.equal(destroy.stack?.status, StackStatus.DESTROYING);
    const destroyId = destroy.deployment?.id ?? "";
    // While it is destroying: a destroyed stack's name is free again, and no longer finds it.
    const history = await service.stacks.listStackDeployments({ tenant, name });
    assert.deepEqual(
      history.deployments.map((d) => [d.id, d.kind]),
      [
        [destroyId, DeploymentKind.DESTROY],
        [previewed.id, DeploymentKind.PREVIEW],
        [deploymentId, DeploymentKind.DEPLOY],
      ],
    );
    const newest = await service.stacks.listStackDeployments({ tenant, name, pageSize: 1 });
    assert.deepEqual(
      newest.deployments.map((d) => d.id),
      [destroyId],
    );
    assert.equal(
      (await refusal(service.stacks.listStackDeployments({ tenant, name, pageSize: 501 })))[1],
      "limit: expected 1 to 500",
    );
    const destroyed = await settledDeployment(tenant, destroyId);
    assert.equal(destroyed.status, DeploymentStatus.SUCCEEDED, destroyed.error);
    assert.deepEqual(
      destroyed.steps.map((step) => [step.name, step.status, step.jobId !== ""]),
      [[DeploymentStepName.DESTROY, DeploymentStepStatus.SUCCEEDED, true]],
    );
  });

  it("names every problem of a deploy policy by its field, and fills in the defaults", async () => {
    assert.deepEqual(await refusal(service.stacks.setDeployPolicy({ ref: "team-b", policy: {} })), [
      Code.InvalidArgument,
      "scope: expected one of DEPLOY_POLICY_SCOPE_TEMPLATE, DEPLOY_POLICY_SCOPE_TENANT",
    ]);
    const [bad, message] = await refusal(
      service.stacks.setDeployPolicy({
        scope: DeployPolicyScope.TENANT,
        ref: "team-b",
        policy: { requireApproval: true, approverRole: Role.READ_ONLY, approvalTimeoutSeconds: 91 * 86400 },
      }),
    );
    assert.equal(bad, Code.InvalidArgument);
    assert.deepEqual(
      message.split("\n").map((line) => line.split(": ")[0]),
      ["policy.approverRole", "policy.approvalTimeoutSeconds"],
    );
    assert.deepEqual(
      await refusal(
        service.stacks.setDeployPolicy({
          scope: DeployPolicyScope.TENANT,
          ref: "team-b",
          policy: { approverRole: 9 as Role },
        }),
      ),
      [
        Code.InvalidArgument,
        "policy.approverRole: expected one of ROLE_USER, ROLE_TENANT_ADMIN, ROLE_PROVIDER_ADMIN",
      ],
    );
    assert.equal(
      (
        await refusal(
          service.stacks.setDeployPolicy({ scope: DeployPolicyScope.TEMPLATE, ref: "nope", policy: {} }),
        )
      )[0],
      Code.NotFound,
    );
    const set = await service.stacks.setDeployPolicy({ scope: DeployPolicyScope.TENANT, ref: "team-b" });
    assert.deepEqual(
      [set.requireApproval, set.approverRole, set.approvalTimeoutSeconds, set.onFailure],
      [false, Role.TENANT_ADMIN, 7 * 86400, FailurePolicy.DESTROY],
    );
  });

  it("starts a draft as a copy of the newest version, and a published version never changes", async () => {
    const template = fresh("drafted");
    await service.catalog.createTemplate({
      name: template,
      language: Language.YAML,
      ownerTenant: "team-a",
      source: source(),
    });
    const published = await service.catalog.publishTemplate({ template });
    const draft = await service.catalog.saveDraft({ template });
    assert.equal(draft.version, 2);
    assert.equal(draft.state, VersionState.DRAFT);
    assert.deepEqual(draft.source, published.source);
    const edited = await service.catalog.saveDraft({ template, source: source("hey") });
    assert.equal(edited.version, 2, "the same draft, edited");
    const again = await service.catalog.saveDraft({ template });
    assert.deepEqual(again.source?.parameters?.properties, source("hey").parameters.properties);
    const view = await service.catalog.getTemplate({ tenant: "team-a", template });
    assert.deepEqual(view.versions[0]?.source, published.source, "version 1 stays as published");
    assert.equal(view.versions[0]?.contentHash, published.contentHash);
    // Every Template the API gives says which version is published, the list's too, not the draft.
    const listed = async () => {
      const { templates } = await service.catalog.listTemplates({ tenant: "team-a", pageSize: 500 });
      return templates.find((t) => t.name === template)?.latestPublished;
    };
    assert.deepEqual([view.latestPublished, view.template?.latestPublished, await listed()], [1, 1, 1]);
    await service.catalog.publishTemplate({ template });
    assert.equal(await listed(), 2);
    await service.catalog.deprecateVersion({ template, version: 2 });
    assert.equal(await listed(), 1, "a deprecated version is no longer the one published");
    const unpublished = await tenantTemplate("team-a");
    assert.equal(
      (await service.catalog.getTemplate({ tenant: "team-a", template: unpublished })).template
        ?.latestPublished,
      0,
      "0: nothing published yet",
    );
  });

  it("refuses a revoked token, an altered one and none at all UNAUTHENTICATED, and names every bad field", async () => {
    const { token, info } = await service.governance.issueToken({ user: "a-user", name: "short-lived" });
    const client = createPlatformClient({ baseUrl: url, token, transport: "grpc" });
    assert.equal(await code(client.governance.listTenants({})), "ok");
    await service.governance.revokeToken({ id: info?.id ?? "" });
    assert.equal(await code(client.governance.listTenants({})), Code.Unauthenticated);
    const altered = createPlatformClient({
      baseUrl: url,
      token: `${token.slice(0, -2)}xx`,
      transport: "grpc",
    });
    assert.equal(await code(altered.catalog.listTemplates({ tenant: "team-a" })), Code.Unauthenticated);
    const anonymous = createPlatformClient({ baseUrl: url, token: "not-a-token", transport: "connect-json" });
    assert.equal(await code(anonymous.governance.listTenants({})), Code.Unauthenticated);

    const admin = clients.get("a-tenant-admin") as PlatformClient;
    const error = await admin.catalog
      .createTemplate({
        name: "Bad Name",
        language: Language.YAML,
        ownerTenant: "team-a",
        source: {
          files: { "Pulumi.yaml": "name: x\nruntime: python\n" },
          dependencies: { a: "1" },
          parameters: { type: "array" },
        },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(error instanceof ConnectError);
    assert.equal(error.code, Code.InvalidArgument);
    const fields = error.rawMessage.split("\n").map((line) => line.split(": ")[0]);
    assert.deepEqual(fields, ["name"], "the name is refused before anything else is read");
    const second = await admin.catalog
      .createTemplate({
        name: "good-name",
        language: Language.YAML,
        ownerTenant: "team-a",
        source: {
          files: { "Pulumi.yaml": "name: x\nruntime: python\n" },
          dependencies: { a: "1" },
          parameters: { type: "array" },
        },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(second instanceof ConnectError);
    assert.deepEqual(
      second.rawMessage.split("\n").map((line) => line.split(": ")[0]),
      ["dependencies", "parameters.type"],
    );
    assert.equal(
      await code(service.catalog.getTemplate({ tenant: "team-a", template: "good-name" })),
      Code.NotFound,
      "nothing stored",
    );
  });
});
