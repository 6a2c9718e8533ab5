import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AwsClient } from "aws4fetch";
import { loadOrCreateMasterKeys } from "../../../src/jobs/config/master-keys";
import { parseServiceConfig } from "../../../src/jobs/config/service-config";
import { type Caller, SERVICE_CALLER } from "../../../src/jobs/domain/caller";
import type { TenantStack } from "../../../src/jobs/domain/tenant-stack";
import { Envelope } from "../../../src/jobs/secrets/envelope";
import { type JobServer, startJobServer } from "../../../src/jobs/start-job-server";
import { EMBEDDED_FILES, WEED_BINARY_VARIABLE } from "../../../src/jobs/state-store/embedded-seaweedfs";
import {
  EMBEDDED_ADMIN_OWNER,
  openStateStore,
  tenantStateSecretOwner,
} from "../../../src/jobs/state-store/state-store";
import { SealedSecretStore } from "../../../src/jobs/store/sealed-secret-store";
import { SqliteDatabase } from "../../../src/jobs/store/sqlite-database";
import { builtBinary } from "../../support/built-parts";
import { fileTexts } from "../../support/file-texts";
import { followJob, type JobFixture, startJobFixture, writeFixtureConfig } from "../../support/job-fixture";
import { GREETER, settled, TEST_TEMPLATE_INSTALLS, userWithRole } from "../../support/platform-fixture";
import { listBucket, type S3Key, type SeaweedfsServer, startSeaweedfs } from "../../support/seaweedfs";

const CANARY = "canary-secret-s3-7d2e41b9";
const ADMIN: S3Key = { accessKeyId: "TESTADMIN0001", secretAccessKey: "test-admin-secret-9c1f0a" };

/** A sealed S3 key the service keeps, opened as the service would. */
async function sealedKey(dataDir: string, owner: string): Promise<S3Key> {
  const db = new SqliteDatabase(join(dataDir, "jobs.db"));
  try {
    const sealed = (await new SealedSecretStore(db).all(owner)).get("s3-key");
    assert.ok(sealed !== undefined, `no key sealed for ${owner}`);
    const envelope = new Envelope(loadOrCreateMasterKeys(dataDir, {}));
    return JSON.parse(envelope.open(sealed, `${owner}/s3-key`)) as S3Key;
  } finally {
    await db.close();
  }
}

async function publishGreeter(server: JobServer): Promise<void> {
  const { catalogue } = server.platform;
  await catalogue.createTemplate(SERVICE_CALLER, { name: "greeter", language: "yaml", source: GREETER });
  await catalogue.publish(SERVICE_CALLER, "greeter");
}

async function deployGreeter(
  server: JobServer,
  caller: Caller,
  tenant: string,
  name: string,
  greeting: string,
): Promise<TenantStack> {
  await server.platform.stacks.deploy(caller, {
    tenant,
    name,
    template: "greeter",
    parameters: { greeting },
    secretParameters: { apiKey: CANARY },
  });
  return settled(server, caller, tenant, name);
}

const bucketOf = (stack: TenantStack) => new URL(stack.stateLocation).host;

describe("tenant stacks' state in an S3 store of the operator's (SeaweedFS), against the real engine", () => {
  let weed: SeaweedfsServer;
  let fx: JobFixture;
  const tenants: Record<string, { id: string; caller: Caller; stack?: TenantStack; key?: S3Key }> = {};
  before(async () => {
    weed = await startSeaweedfs(ADMIN);
    fx = await startJobFixture({
      stacks: {},
      settings: {
        templateInstallsDir: TEST_TEMPLATE_INSTALLS,
        stateStore: {
          s3: {
            endpoint: weed.endpoint,
            adminCredentials: {
              accessKeyId: { fromEnv: "TEST_STATE_ADMIN_KEY_ID" },
              secretAccessKey: { fromEnv: "TEST_STATE_ADMIN_SECRET" },
            },
          },
        },
      },
      env: {
        ...process.env,
        TEST_STATE_ADMIN_KEY_ID: ADMIN.accessKeyId,
        TEST_STATE_ADMIN_SECRET: ADMIN.secretAccessKey,
      },
    });
    await publishGreeter(fx.server);
    for (const name of ["team-a", "team-b"]) {
      const tenant = await fx.server.platform.governance.createTenant(SERVICE_CALLER, { name });
      tenants[name] = { id: tenant.id, caller: await userWithRole(fx.server, `user-${name}`, name, "user") };
    }
  });
  after(async () => {
    await fx?.close();
    await weed?.stop();
  });

  it("keeps each tenant's stacks' state in a bucket of its own, with a key of its own", async () => {
    const deployed = await Promise.all(
      ["team-a", "team-b"].map(async (name) => {
        const tenant = tenants[name] as (typeof tenants)[string];
        const stack = await deployGreeter(fx.server, tenant.caller, name, "web", `hi from ${name}`);
        return { tenant, stack };
      }),
    );
    for (const { tenant, stack } of deployed) {
      assert.equal(stack.status, "deployed", stack.error ?? "");
      assert.deepEqual(stack.outputs, { message: `${stack.parameters.greeting}, tenant`, key: "[secret]" });
      assert.match(
        stack.stateLocation,
        new RegExp(`^s3://stackwright-${tenant.id}/${stack.id}\\?region=us-east-1&use_path_style=true$`),
        "the location names the tenant's bucket and the stack, not where the store is",
      );
      tenant.stack = stack;
      tenant.key = await sealedKey(join(fx.dir, "data"), tenantStateSecretOwner(tenant.id));
      // The state is where the location says, as the admin sees the store.
      const listing = await listBucket(weed.s3(ADMIN), bucketOf(stack));
      assert.equal(listing.status, 200);
      assert.ok(
        listing.keys.includes(`${stack.id}/.pulumi/stacks/greeter/web.json`),
        `no checkpoint in ${bucketOf(stack)}: ${listing.keys.join(", ")}`,
      );
      // Nothing of it is on the service's disk.
      assert.ok(
        !existsSync(join(fx.dir, "data", "tenant-state")),
        "a tenant's state went to the data directory",
      );
    }
  });

  it("lets neither tenant's key list or read the other's bucket (AccessDenied), only its own", async () => {
    const a = tenants["team-a"] as Required<(typeof tenants)[string]>;
    const b = tenants["team-b"] as Required<(typeof tenants)[string]>;
    assert.ok(a.stack && b.stack && a.key && b.key, "the deploys above ran");
    assert.notEqual(a.key.accessKeyId, b.key.accessKeyId);
    for (const [me, other] of [
      [a, b],
      [b, a],
    ] as const) {
      const s3 = weed.s3(me.key);
      const own = await listBucket(s3, bucketOf(me.stack));
      assert.equal(own.status, 200);
      assert.ok(own.keys.includes(`${me.stack.id}/.pulumi/stacks/greeter/web.json`));
      const listed = await listBucket(s3, bucketOf(other.stack));
      assert.equal(listed.status, 403);
      assert.equal(listed.code, "AccessDenied");
      const read = await s3(`/${bucketOf(other.stack)}/${other.stack.id}/.pulumi/stacks/greeter/web.json`);
      assert.equal(read.status, 403);
      assert.match(await read.text(), /<Code>AccessDenied<\/Code>/);
      const written = await s3(`/${bucketOf(other.stack)}/planted.json`, { method: "PUT", body: "{}" });
      assert.equal(written.status, 403);
      const created = await s3("/stackwright-another-bucket", { method: "PUT" });
      assert.equal(created.status, 403, "a tenant's key creates no bucket");
      const buckets = await (await s3("/")).text();
      assert.ok(!buckets.includes(bucketOf(other.stack)), "the other's bucket is not even listed");
    }
  });

  it("gives the engine of a stack kept in S3 the tenant's key, and no other AWS variable", async () => {
    const stack = await deployProbe(fx.server, "team-a");
    assert.equal(stack.status, "deployed", stack.error ?? "");
    assert.match(stack.stateLocation, /^s3:\/\//);
    assert.deepEqual(stack.outputs, {
      aws: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
      pulumiHome: true,
    });
  });

  it("keeps each tenant's key sealed: in plain text nowhere under the data directory, nor in any job's output", async () => {
    const secrets = ["team-a", "team-b"].map((n) => tenants[n]?.key?.secretAccessKey as string);
    assert.ok(secrets.every((s) => typeof s === "string" && s.length >= 32));
    for (const name of ["team-a", "team-b"]) {
      const stack = tenants[name]?.stack as TenantStack;
      assert.ok(stack.lastJobId !== null);
      const followed = await followJob(fx.server, stack.lastJobId);
      const text = JSON.stringify(followed);
      for (const secret of [...secrets, ADMIN.secretAccessKey])
        assert.ok(!text.includes(secret), "a job's output or events show an S3 secret key");
    }
    for (const [file, text] of fileTexts(join(fx.dir, "data")))
      for (const secret of [...secrets, ADMIN.secretAccessKey, CANARY])
        assert.ok(!text.includes(secret), `${file} holds a secret in plain text`);
  });

  it("gives the engine of a stack whose state is a file no AWS variables, and names where an S3 state lives only when a job runs", async () => {
    const dataDir = join(fx.dir, "data");
    const db = new SqliteDatabase(join(dataDir, "jobs.db"));
    try {
      const store = await openStateStore(
        fx.server.config,
        {
          db,
          envelope: new Envelope(loadOrCreateMasterKeys(dataDir, {})),
          env: { TEST_STATE_ADMIN_KEY_ID: ADMIN.accessKeyId, TEST_STATE_ADMIN_SECRET: ADMIN.secretAccessKey },
        },
        "jobs",
      );
      const a = tenants["team-a"] as Required<(typeof tenants)[string]>;
      const file = await store.engineAccess(a.id, "file:///srv/state/x");
      assert.deepEqual(file, { backend: "file:///srv/state/x", environment: {} });
      const s3 = await store.engineAccess(a.id, a.stack.stateLocation);
      assert.deepEqual(s3.environment, {
        AWS_ACCESS_KEY_ID: a.key.accessKeyId,
        AWS_SECRET_ACCESS_KEY: a.key.secretAccessKey,
      });
      assert.equal(
        s3.backend,
        `${a.stack.stateLocation}&endpoint=${encodeURIComponent(weed.endpoint)}`,
        "the engine gets the store's endpoint (the query parameters Pulumi 3.259's S3 driver takes)",
      );
      await store.close();
    } finally {
      await db.close();
    }
  });
});

/**
 * A Python template whose outputs are the names of the AWS variables its program got from the
 * engine (never their values), and whether it got the engine's PULUMI_HOME: the same in a preview
 * and the update after it, as an update held to its previewed plan needs.
 */
const AWS_PROBE = {
  files: {
    "Pulumi.yaml": "name: aws-probe\nruntime: python\n",
    "__main__.py": [
      "import os",
      "import pulumi",
      'pulumi.export("aws", sorted(name for name in os.environ if name.startswith("AWS_")))',
      'pulumi.export("pulumiHome", "PULUMI_HOME" in os.environ)',
      "",
    ].join("\n"),
  },
  dependencies: { pulumi: "3.259.0" },
  parameters: { type: "object", properties: {} },
};

async function deployProbe(server: JobServer, tenant: string): Promise<TenantStack> {
  const { catalogue, stacks } = server.platform;
  if ((await catalogue.list(SERVICE_CALLER, tenant, {})).every((t) => t.name !== "aws-probe")) {
    await catalogue.createTemplate(SERVICE_CALLER, {
      name: "aws-probe",
      language: "python",
      source: AWS_PROBE,
    });
    await catalogue.publish(SERVICE_CALLER, "aws-probe");
  }
  await stacks.deploy(SERVICE_CALLER, { tenant, name: "probe", template: "aws-probe" });
  return settled(server, SERVICE_CALLER, tenant, "probe");
}

describe("a tenant stack whose state is a file (the default store)", () => {
  let fx: JobFixture;
  before(async () => {
    fx = await startJobFixture({
      stacks: {},
      settings: { templateInstallsDir: TEST_TEMPLATE_INSTALLS },
      // The service's own AWS variables, which no engine may inherit.
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: "SERVICEOWNKEY",
        AWS_SECRET_ACCESS_KEY: "service-own-secret",
      },
    });
  });
  after(async () => fx?.close());

  it("keeps its state under the data directory, and its engine's environment has no AWS variables", async () => {
    await fx.server.platform.governance.createTenant(SERVICE_CALLER, { name: "team-f" });
    const stack = await deployProbe(fx.server, "team-f");
    assert.equal(stack.status, "deployed", stack.error ?? "");
    assert.match(stack.stateLocation, /^file:\/\/.*\/tenant-state\//);
    assert.deepEqual(stack.outputs, { aws: [], pulumiHome: true });
  });
});

describe("an embedded S3 store: `serve` runs SeaweedFS itself", () => {
  it("starts weed mini on 127.0.0.1, keeps a tenant's state in it across a restart on new ports, and stops it on close", async () => {
    builtBinary(WEED_BINARY_VARIABLE);
    const { dir, raw } = writeFixtureConfig({
      stacks: {},
      settings: { templateInstallsDir: TEST_TEMPLATE_INSTALLS, stateStore: { s3: { embedded: true } } },
    });
    const dataDir = join(dir, "data");
    const config = parseServiceConfig(raw, dir, process.env);
    const endpointFile = join(dataDir, EMBEDDED_FILES.dir, EMBEDDED_FILES.endpoint);
    const endpointNow = () =>
      (JSON.parse(readFileSync(endpointFile, "utf8")) as { endpoint: string }).endpoint;
    let server = await startJobServer({ config, pollMs: 100 });
    try {
      const first = endpointNow();
      assert.match(first, /^http:\/\/127\.0\.0\.1:\d+$/);
      await publishGreeter(server);
      await server.platform.governance.createTenant(SERVICE_CALLER, { name: "team-e" });
      const deployed = await deployGreeter(server, SERVICE_CALLER, "team-e", "web", "hello");
      assert.equal(deployed.status, "deployed", deployed.error ?? "");
      assert.match(deployed.stateLocation, /^s3:\/\/stackwright-[0-9a-f-]{36}\//);
      await server.close();
      // Stopped: its S3 port answers no more.
      await assert.rejects(fetch(`${first}/`));

      server = await startJobServer({ config, pollMs: 100 });
      const second = endpointNow();
      const updated = await deployGreeter(server, SERVICE_CALLER, "team-e", "web", "hi");
      assert.equal(updated.status, "deployed", updated.error ?? "");
      assert.equal(updated.id, deployed.id);
      assert.deepEqual(updated.outputs, { message: "hi, tenant", key: "[secret]" });
      const admin = await sealedKey(dataDir, EMBEDDED_ADMIN_OWNER);
      const client = new AwsClient({ ...admin, service: "s3", region: "us-east-1" });
      const listing = await listBucket(
        (path, init) => client.fetch(`${second}${path}`, init),
        bucketOf(updated),
      );
      const history = listing.keys.filter((k) => k.startsWith(`${updated.id}/.pulumi/history/greeter/web/`));
      assert.ok(history.length >= 4, `two updates' history in the bucket: ${listing.keys.join(", ")}`);
      // Sealed in the service's files; SeaweedFS's own files (<dataDir>/s3) hold it as any S3 server must.
      const key = await sealedKey(dataDir, tenantStateSecretOwner(updated.tenantId));
      const storeDir = join(dataDir, EMBEDDED_FILES.dir);
      for (const [file, text] of fileTexts(dataDir))
        if (!file.startsWith(`${storeDir}/`))
          for (const secret of [key.secretAccessKey, admin.secretAccessKey])
            assert.ok(!text.includes(secret), `${file} holds an S3 secret key in plain text`);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses to start without weed, in one error naming STACKWRIGHT_WEED_BIN", async () => {
    const { dir, raw } = writeFixtureConfig({
      stacks: {},
      settings: { stateStore: { s3: { embedded: true } } },
    });
    const env = { ...process.env, [WEED_BINARY_VARIABLE]: join(dir, "no-such-weed") };
    const config = parseServiceConfig(raw, dir, env);
    try {
      await assert.rejects(startJobServer({ config, env, pollMs: 100 }), (error: Error) => {
        assert.match(error.message, /STACKWRIGHT_WEED_BIN/);
        assert.match(error.message, /no such file/);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
