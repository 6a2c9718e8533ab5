import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { createPlatformClient, type PlatformClient } from "../../../src/jobs/api/client";
import {
  Language,
  Role,
  StackStatus,
  VersionState,
} from "../../../src/jobs/api/gen/stackwright/platform/v1/platform_pb";
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

  async function deployedStack(tenant: string): Promise<{ name: string; jobId: string }> {
    const name = fresh("stack");
    const { jobId } = await service.stacks.deployStack({ tenant, name, template: "greeter" });
    for (;;) {
      const stack = await service.stacks.getStack({ tenant, name });
      if (stack.status !== StackStatus.DEPLOYING && stack.status !== StackStatus.PENDING) {
        assert.equal(stack.status, StackStatus.DEPLOYED, stack.error);
        return { name, jobId };
      }
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

  let sharedStack: Promise<{ name: string; jobId: string }> | undefined;
  const shared = () => {
    sharedStack ??= deployedStack("team-a");
    return sharedStack;
  };

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
  function attacksOn(
    victim: string,
    attacker: string,
    records: { stack: string; jobId: string; template: string; user: string },
  ): [string, (c: PlatformClient) => Promise<unknown>][] {
    const { stack, jobId, template, user } = records;
    return [
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
    const records = new Map<string, { stack: string; jobId: string; template: string; user: string }>();
    for (const [tenant, prefix] of [
      ["team-a", "a"],
      ["team-b", "b"],
    ] as const) {
      const { name, jobId } = await deployedStack(tenant);
      const template = await tenantTemplate(tenant);
      await service.catalog.publishTemplate({ template });
      records.set(tenant, { stack: name, jobId, template, user: `${prefix}-user` });
    }
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
    for (const [tenant, { stack, template }] of records) {
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
