import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { StackwrightInputError } from "../../../src/core/errors";
import { ServiceConfigSchema } from "../../../src/jobs/config/config-schema";
import { loadServiceConfig, parseServiceConfig } from "../../../src/jobs/config/service-config";
import { stackEnvironment } from "../../../src/jobs/workspace/stack-environment";

const problemsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof StackwrightInputError, String(error));
    return error.problems.map((p) => `${p.at}: ${p.message}`);
  }
  assert.fail("expected the configuration to be refused");
};

const valid = {
  workloads: { web: { project: "./web" } },
  stacks: {
    "organization/web/dev": {
      workload: "web",
      passphrase: { fromEnv: "WEB_DEV_PASSPHRASE" },
      credentials: { AWS_SECRET_ACCESS_KEY: { fromFile: "./dev.key" } },
      config: { region: "eu-west-1", replicas: 2 },
    },
  },
};

describe("service configuration", () => {
  it("reads stacks and workloads, with paths relative to the file and defaults filled in", () => {
    const config = parseServiceConfig(valid, "/srv/jobs", {});
    assert.equal(config.dataDir, "/srv/jobs/.stackwright");
    assert.equal(config.concurrency, 4);
    assert.equal(config.defaultTimeoutMs, 600_000);
    const stack = config.stacks.get("organization/web/dev");
    assert.deepEqual([stack?.org, stack?.project, stack?.stack], ["organization", "web", "dev"]);
    assert.equal(stack?.backend, "file:///srv/jobs/.stackwright/state");
    assert.deepEqual(stack?.credentials.AWS_SECRET_ACCESS_KEY, { fromFile: "/srv/jobs/dev.key" });
    assert.deepEqual(stack?.config, { region: "eu-west-1", replicas: "2" });
    assert.deepEqual(config.workloads.get("web"), { name: "web", kind: "project", dir: "/srv/jobs/web" });
    assert.equal(config.lockWaitMs, 300_000);
    assert.deepEqual(config.api, { maxConnections: 512, headersTimeoutMs: 10_000, idleTimeoutMs: 60_000 });
  });

  it("reads the lock wait and the API's limits, and refuses bad ones naming the field", () => {
    const config = parseServiceConfig(
      {
        ...valid,
        lockWaitSeconds: 900,
        api: { maxConnections: 64, headersTimeoutSeconds: 5, idleTimeoutSeconds: 30 },
      },
      "/srv",
      {},
    );
    assert.equal(config.lockWaitMs, 900_000);
    assert.deepEqual(config.api, { maxConnections: 64, headersTimeoutMs: 5000, idleTimeoutMs: 30_000 });
    assert.deepEqual(
      problemsOf(() =>
        parseServiceConfig(
          { ...valid, lockWaitSeconds: 0, api: { maxConnections: 1.5, headerTimeoutSeconds: 5 } },
          "/srv",
          {},
        ),
      ),
      [
        "lockWaitSeconds: expected a positive number",
        "api.headerTimeoutSeconds: unknown field",
        "api.maxConnections: expected a whole number",
      ],
    );
  });

  it("refuses secret values written in the file, naming the field", () => {
    const problems = problemsOf(() =>
      parseServiceConfig(
        { ...valid, stacks: { "organization/web/dev": { workload: "web", passphrase: "hunter2-literal" } } },
        "/srv",
        {},
      ),
    );
    assert.equal(problems.length, 1);
    assert.match(problems[0] as string, /^stacks\.organization\/web\/dev\.passphrase: expected \{fromEnv/);
    assert.ok(!(problems[0] as string).includes("hunter2-literal"));
  });

  it("reports every problem at once: unknown fields, bad names, unknown workloads, bad backends", () => {
    const problems = problemsOf(() =>
      parseServiceConfig(
        {
          concurrency: 0,
          colour: "blue",
          workloads: { web: { project: "./web", component: {} } },
          stacks: {
            dev: { workload: "web", passphrase: { fromEnv: "P" } },
            "acme/web/prod": { workload: "nope", passphrase: { fromEnv: "P" }, backend: "ftp://x", extra: 1 },
          },
        },
        "/srv",
        {},
      ),
    );
    for (const expected of [
      /^concurrency: expected a positive number/,
      /^colour: unknown field/,
      /^workloads\.web: expected exactly one of 'project'/,
      /^stacks\.dev: expected 'org\/project\/stack'/,
      /^stacks\.acme\/web\/prod\.workload: /,
      /^stacks\.acme\/web\/prod\.backend: /,
      /^stacks\.acme\/web\/prod\.extra: unknown field/,
    ])
      assert.ok(
        problems.some((p) => expected.test(p)),
        `${expected} not in:\n${problems.join("\n")}`,
      );
  });

  it("refuses unknown fields at every level, each by name, and names list items by position", () => {
    const stack = valid.stacks["organization/web/dev"];
    const problems = problemsOf(() =>
      parseServiceConfig(
        {
          workloads: {
            web: { project: "./web", owner: "team-a" },
            db: { component: { schema: "./s.json", spec: {}, version: 2 } },
          },
          stacks: { "organization/web/dev": { ...stack, pluginPaths: ["./plugins", 7] } },
          api: { maxConnection: 10 },
        },
        "/srv",
        {},
      ),
    );
    assert.deepEqual(problems, [
      "api.maxConnection: unknown field",
      "workloads.web.owner: unknown field",
      "workloads.db.component.version: unknown field",
      "stacks.organization/web/dev.pluginPaths[1]: expected a string",
    ]);
  });

  it("reports every problem however many there are", () => {
    const stacks = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [
        `organization/web/s${i}`,
        { workload: "web", passphrase: "literal" },
      ]),
    );
    const problems = problemsOf(() => parseServiceConfig({ ...valid, stacks }, "/srv", {}));
    assert.deepEqual(
      problems.map((p) => p.split(":")[0]),
      Object.keys(stacks).map((name) => `stacks.${name}.passphrase`),
    );
  });

  it("reads an empty workloads: or stacks: as none", () => {
    const config = parseServiceConfig({ workloads: null, stacks: null }, "/srv", {});
    assert.equal(config.workloads.size, 0);
    assert.equal(config.stacks.size, 0);
  });

  it("checks variable names by the shared rule, never quoting what stands where a variable's name belongs", () => {
    const stack = valid.stacks["organization/web/dev"];
    const problems = problemsOf(() =>
      parseServiceConfig(
        {
          ...valid,
          stacks: {
            "organization/web/dev": {
              ...stack,
              passphrase: { fromEnv: "hunter2 pasted here" },
              credentials: { "AWS-KEY": { fromEnv: "AWS_KEY" } },
            },
          },
        },
        "/srv",
        {},
      ),
    );
    assert.deepEqual(problems, [
      "stacks.organization/web/dev.credentials.AWS-KEY: 'AWS-KEY' is not an environment variable name (letters, digits, '_')",
      "stacks.organization/web/dev.passphrase: expected {fromEnv: VARIABLE} or {fromFile: path}; secret values are never written in this file",
    ]);
  });

  it("checks $STACKWRIGHT_DATABASE_URL as the file's database, naming the variable and not its value", () => {
    const env = { STACKWRIGHT_DATABASE_URL: "mysql://jobs:hunter2@db/jobs" };
    assert.deepEqual(
      problemsOf(() => parseServiceConfig(valid, "/srv", env)),
      ["STACKWRIGHT_DATABASE_URL: expected a postgres:// or postgresql:// URL (leave it out for SQLite)"],
    );
    const url = "postgresql://jobs@db/jobs";
    assert.equal(parseServiceConfig(valid, "/srv", { STACKWRIGHT_DATABASE_URL: url }).databaseUrl, url);
    assert.equal(
      parseServiceConfig({ ...valid, database: url }, "/srv", env).databaseUrl,
      url,
      "the file's first",
    );
  });

  it("fills in the defaults the schema publishes", () => {
    const defaultOf = (field: object) => (field as { default?: unknown }).default;
    const config = parseServiceConfig({}, "/srv", {});
    const fields = ServiceConfigSchema.properties;
    const api = fields.api.properties;
    assert.deepEqual(
      {
        concurrency: config.concurrency,
        defaultTimeoutSeconds: config.defaultTimeoutMs / 1000,
        cancelGraceSeconds: config.cancelGraceMs / 1000,
        leaseSeconds: config.leaseMs / 1000,
        lockWaitSeconds: config.lockWaitMs / 1000,
        api: {
          maxConnections: config.api.maxConnections,
          headersTimeoutSeconds: config.api.headersTimeoutMs / 1000,
          idleTimeoutSeconds: config.api.idleTimeoutMs / 1000,
        },
      },
      {
        concurrency: defaultOf(fields.concurrency),
        defaultTimeoutSeconds: defaultOf(fields.defaultTimeoutSeconds),
        cancelGraceSeconds: defaultOf(fields.cancelGraceSeconds),
        leaseSeconds: defaultOf(fields.leaseSeconds),
        lockWaitSeconds: defaultOf(fields.lockWaitSeconds),
        api: {
          maxConnections: defaultOf(api.maxConnections),
          headersTimeoutSeconds: defaultOf(api.headersTimeoutSeconds),
          idleTimeoutSeconds: defaultOf(api.idleTimeoutSeconds),
        },
      },
    );
  });

  it("reads where tenant stacks keep their state: files by default, an embedded SeaweedFS, or a store of the operator's", () => {
    assert.deepEqual(parseServiceConfig(valid, "/srv/jobs", {}).stateStore, { kind: "file" });
    assert.deepEqual(parseServiceConfig({ ...valid, stateStore: {} }, "/srv/jobs", {}).stateStore, {
      kind: "file",
    });
    assert.deepEqual(
      parseServiceConfig({ ...valid, stateStore: { s3: { embedded: true } } }, "/srv/jobs", {}).stateStore,
      { kind: "embedded-s3", region: "us-east-1", bucketPrefix: "stackwright-" },
    );
    const s3 = {
      endpoint: "https://s3.internal:8333/",
      region: "eu-west-1",
      bucketPrefix: "prod-",
      adminCredentials: {
        accessKeyId: { fromEnv: "STATE_ADMIN_KEY_ID" },
        secretAccessKey: { fromFile: "admin.key" },
      },
    };
    assert.deepEqual(parseServiceConfig({ ...valid, stateStore: { s3 } }, "/srv/jobs", {}).stateStore, {
      kind: "s3",
      endpoint: "https://s3.internal:8333",
      region: "eu-west-1",
      bucketPrefix: "prod-",
      adminCredentials: {
        accessKeyId: { fromEnv: "STATE_ADMIN_KEY_ID" },
        secretAccessKey: { fromFile: "/srv/jobs/admin.key" },
      },
    });
    const refused = (stateStore: unknown) =>
      problemsOf(() => parseServiceConfig({ ...valid, stateStore }, "/srv", {}));
    assert.deepEqual(refused("s3"), ["stateStore: expected a mapping: {} (files) or {s3: …}"]);
    assert.deepEqual(refused({ s3: { endpoint: "https://s3.internal" } }), [
      "stateStore.s3: expected either embedded: true, or endpoint and adminCredentials",
    ]);
    assert.deepEqual(refused({ s3: { embedded: true, endpoint: "https://s3.internal" } }), [
      "stateStore.s3.endpoint: not with embedded: true (choose one)",
    ]);
    assert.deepEqual(refused({ s3: { ...s3, endpoint: "https://key:secret@s3.internal/bucket" } }), [
      "stateStore.s3.endpoint: expected http:// or https:// and host:port, with no path and no credentials",
    ]);
    assert.deepEqual(refused({ s3: { embedded: true, bucketPrefix: "Team_A" } }), [
      "stateStore.s3.bucketPrefix: expected at most 27 lower-case letters, digits and '-', starting with a letter or digit",
    ]);
    // A secret written where its source belongs is refused, and not quoted.
    const written = refused({
      s3: { ...s3, adminCredentials: { accessKeyId: "AKIA", secretAccessKey: { fromEnv: "s3cr3t value" } } },
    });
    assert.deepEqual(written, [
      "stateStore.s3.adminCredentials.accessKeyId: expected {fromEnv: VARIABLE} or {fromFile: path}; secret values are never written in this file",
      "stateStore.s3.adminCredentials.secretAccessKey: expected {fromEnv: VARIABLE} or {fromFile: path}; secret values are never written in this file",
    ]);
    assert.ok(!written.join("\n").includes("s3cr3t"));
  });

  it("names the file when it is not YAML", () => {
    const dir = mkdtempSync(join(tmpdir(), "stackwright-config-"));
    const file = join(dir, "jobs.yaml");
    writeFileSync(file, "stacks: [unclosed");
    assert.match(
      (problemsOf(() => loadServiceConfig(file)) as string[])[0] as string,
      /jobs\.yaml: not valid YAML/,
    );
  });

  it("gives a stack's engine its own secrets and none of the service's", () => {
    const dir = mkdtempSync(join(tmpdir(), "stackwright-env-"));
    const stack = parseServiceConfig(valid, dir, {}).stacks.get("organization/web/dev");
    assert.ok(stack);
    writeFileSync(join(dir, "dev.key"), "dev-key-value\n");
    const source = {
      PATH: "/usr/bin",
      HOME: "/home/svc",
      PULUMI_HOME: "/home/svc/.pulumi",
      PULUMI_PYTHON_CMD: "/venv/bin/python",
      GOCACHE: "/cache/go-build",
      WEB_DEV_PASSPHRASE: "dev-passphrase",
      STACKWRIGHT_API_TOKEN: "api-token-value",
      PROD_AWS_SECRET: "prod-key-value",
      PULUMI_ACCESS_TOKEN: "service-token",
      PULUMI_ACCESS_TOKEN_OTHER: "other-stack-pulumi-token",
      GOOGLE_CREDENTIALS_OTHER: "other-stack-google-credentials",
      LC_SECRET: "locale-prefixed-secret",
    };
    const environment = stackEnvironment(stack, source);
    assert.equal(environment.env.PULUMI_CONFIG_PASSPHRASE, "dev-passphrase");
    assert.equal(environment.env.AWS_SECRET_ACCESS_KEY, "dev-key-value");
    assert.deepEqual(Object.keys(environment.env).sort(), [
      "AWS_SECRET_ACCESS_KEY",
      "HOME",
      "NO_COLOR",
      "PATH",
      "PULUMI_BACKEND_URL",
      "PULUMI_CONFIG_PASSPHRASE",
      "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION",
      "PULUMI_DIY_BACKEND_NO_LEGACY_WARNING",
      "PULUMI_HOME",
      "PULUMI_PYTHON_CMD",
      "PULUMI_SKIP_UPDATE_CHECK",
    ]);
    assert.equal(
      stackEnvironment(stack, source, "go").env.GOCACHE,
      "/cache/go-build",
      "a Go program's build cache",
    );
    assert.deepEqual([...environment.secretValues].sort(), ["dev-key-value", "dev-passphrase"]);
    assert.throws(
      () => stackEnvironment(stack, { PATH: "/usr/bin" }),
      /stacks\.organization\/web\/dev\.passphrase: environment variable WEB_DEV_PASSPHRASE is not set/,
    );
  });
});
