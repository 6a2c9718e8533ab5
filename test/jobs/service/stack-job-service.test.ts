import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { JobServiceError } from "../../../src/jobs/domain/job-service";
import { followJob, type JobFixture, sleepyProject, startJobFixture } from "../../support/job-fixture";
import { SAMPLE_COMPONENT_BIN, SAMPLE_COMPONENT_SCHEMA } from "../../support/paths";

describe("job service against the real engine", () => {
  let fx: JobFixture;
  before(async () => {
    fx = await startJobFixture({
      projects: {
        sleepy: sleepyProject("sleepy", 2, 300),
        broken: {
          name: "broken",
          runtime: "yaml",
          resources: {
            // A provider that colors its message whatever the engine is told.
            bad: {
              type: "testkit:index:Fail",
              properties: { message: "\u001b[1;31mthe database refused: boom-7731\u001b[0m" },
            },
          },
        },
      },
      stacks: {
        "organization/sleepy/dev": { workload: "sleepy" },
        "organization/broken/dev": { workload: "broken" },
      },
      // Relative to the configuration file, and not created beforehand: the service makes its state directory.
      settings: { dataDir: "./data" },
    });
  });
  after(async () => fx?.close());

  it("runs a job queued -> running -> succeeded, with output, change summary and ordered events", async () => {
    const queued = await fx.server.service.deploy({ stack: "organization/sleepy/dev", operation: "up" });
    assert.equal(queued.status, "queued");
    const { job, events } = await followJob(fx.server, queued.id);
    assert.equal(job.status, "succeeded", job.error ?? "");
    assert.equal(job.exitCode, 0);
    assert.deepEqual(job.changes, { create: 4 });
    assert.match(job.output, /sleep1/);
    assert.ok(job.startedAt !== null && job.finishedAt !== null && job.startedAt <= job.finishedAt);
    const statuses = events.filter((e) => e.kind === "status").map((e) => e.data.status);
    assert.deepEqual(statuses, ["queued", "running", "succeeded"]);
    assert.deepEqual(
      events.map((e) => e.seq),
      events.map((_e, i) => i + 1),
      "sequence numbers count from 1 without gaps",
    );
    const done = events.filter((e) => e.kind === "resOutputsEvent").map((e) => e.data.type);
    assert.equal(done.filter((t) => t === "testkit:index:Sleep").length, 2);
    assert.ok(events.some((e) => e.kind === "summaryEvent"));
  });

  it("ends a failing program failed, with the engine's error", async () => {
    const queued = await fx.server.service.deploy({ stack: "organization/broken/dev", operation: "up" });
    const { job } = await followJob(fx.server, queued.id);
    assert.equal(job.status, "failed");
    assert.notEqual(job.exitCode, 0);
    assert.match(job.error ?? "", /the database refused: boom-7731/);
    assert.match(job.output, /the database refused: boom-7731/);
    for (const [what, text] of [
      ["error", job.error ?? ""],
      ["output", job.output],
    ])
      assert.ok(
        !text.includes("\u001b") && !text.includes("\u009b"),
        `terminal escapes stored in the ${what}: ${JSON.stringify(text)}`,
      );
  });
});

describe("job service: secrets never stored", () => {
  const CREDENTIAL = "canary-credential-5f1e9a07";
  const SECRET_CONFIG = "canary-config-81d2c4e6";
  // The other stack's credentials, in variables whose prefixes an engine once inherited.
  const OTHER_GOOGLE = "other-google-credentials-0c4b7e";
  const OTHER_PULUMI = "other-pulumi-access-token-9d2f1a";
  const OTHER_PASSPHRASE = "passphrase-of-organization/leaky/prod";
  const API_TOKEN = "job-service-api-token-4e8a0c2f";
  const USER_STACK_FILE = "# the user's own settings for dev: the service leaves them be\nconfig: {}\n";
  let fx: JobFixture;
  before(async () => {
    fx = await startJobFixture({
      env: {
        ...process.env,
        CANARY_CREDENTIAL_SOURCE: CREDENTIAL,
        CANARY_CONFIG_SOURCE: SECRET_CONFIG,
        GOOGLE_CREDENTIALS_OTHER: OTHER_GOOGLE,
        PULUMI_ACCESS_TOKEN_OTHER: OTHER_PULUMI,
        STACKWRIGHT_API_TOKEN: API_TOKEN,
      },
      projects: {
        leaky: {
          name: "leaky",
          runtime: "yaml",
          config: { apiKey: { type: "string", secret: true } },
          resources: {
            // One resource, so that it always reports everything: a provider that puts a credential
            // and a secret input in its error message, in plaintext; what the program finds of the
            // other stack's credentials in its environment; and what it read from the other stack's
            // passphrase file and the API token's.
            leak: {
              type: "testkit:index:Fail",
              properties: {
                message: [
                  "${apiKey}",
                  "google={env:GOOGLE_CREDENTIALS_OTHER}",
                  "pulumi={env:PULUMI_ACCESS_TOKEN_OTHER}",
                  `files=${OTHER_PASSPHRASE} ${API_TOKEN}`,
                  "credential=",
                ].join("\n"),
                messageFromEnv: "CANARY_CREDENTIAL",
              },
            },
          },
        },
      },
      stacks: {
        "organization/leaky/dev": {
          workload: "leaky",
          credentials: { CANARY_CREDENTIAL: { fromEnv: "CANARY_CREDENTIAL_SOURCE" } },
          secretConfig: { apiKey: { fromEnv: "CANARY_CONFIG_SOURCE" } },
        },
        "organization/leaky/prod": {
          workload: "leaky",
          credentials: {
            GOOGLE_CREDENTIALS: { fromEnv: "GOOGLE_CREDENTIALS_OTHER" },
            PULUMI_ACCESS_TOKEN: { fromEnv: "PULUMI_ACCESS_TOKEN_OTHER" },
          },
        },
      },
    });
    writeFileSync(join(fx.dir, "projects", "leaky", "Pulumi.dev.yaml"), USER_STACK_FILE);
  });
  after(async () => fx?.close());

  it("redacts every secret of the service from the stored output, error and events, and gives an engine only its own", async () => {
    const queued = await fx.server.service.deploy({ stack: "organization/leaky/dev", operation: "up" });
    const { job, events } = await followJob(fx.server, queued.id);
    assert.equal(job.status, "failed");
    assert.match(job.error ?? "", /\[secret\]/, "the leaked values were in the error, redacted");
    assert.match(job.output, /google=\s*$/m, "the other stack's Google credentials reached this engine");
    assert.match(job.output, /pulumi=\s*$/m, "the other stack's Pulumi token reached this engine");
    assert.match(job.output, /files=\[secret\] \[secret\]/);
    const stored = JSON.stringify({ job, events });
    for (const canary of [
      CREDENTIAL,
      SECRET_CONFIG,
      "passphrase-of-organization/leaky/dev",
      OTHER_GOOGLE,
      OTHER_PULUMI,
      OTHER_PASSPHRASE,
      API_TOKEN,
    ])
      assert.ok(!stored.includes(canary), `${canary} was stored`);
    for (const state of fx.stateFiles())
      assert.ok(!state.includes(SECRET_CONFIG), "plaintext secret in state");
    assert.ok(
      fx.stackConfigFiles().some((text) => text.includes("secure:")),
      "the secret config is encrypted",
    );
  });

  it("never changes the user's project directory: no stack settings written there, theirs untouched", async () => {
    const before = fx.projectFiles();
    const queued = await fx.server.service.deploy({ stack: "organization/leaky/dev", operation: "preview" });
    await followJob(fx.server, queued.id);
    assert.deepEqual(fx.projectFiles(), before);
    assert.equal(readFileSync(join(fx.dir, "projects", "leaky", "Pulumi.dev.yaml"), "utf8"), USER_STACK_FILE);
    assert.ok(
      fx.stackConfigFiles().length > 0,
      "the service keeps the stack's settings in its data directory",
    );
  });
});

describe("job service: component requests and bad input", () => {
  let fx: JobFixture;
  before(async () => {
    fx = await startJobFixture({
      env: { ...process.env, ORDERS_DB_PASSWORD: "orders-db-password-3b9f" },
      projects: { sleepy: sleepyProject("sleepy", 0, 0) },
      workloads: {
        "orders-db": {
          component: {
            schema: SAMPLE_COMPONENT_SCHEMA,
            token: "sample:index:Database",
            spec: { engine: "postgres", size: 20, replicas: [{ region: "eu" }] },
          },
        },
      },
      stacks: {
        "organization/orders/dev": {
          workload: "orders-db",
          pluginPaths: [SAMPLE_COMPONENT_BIN],
          secretConfig: { password: { fromEnv: "ORDERS_DB_PASSWORD" } },
        },
        "organization/sleepy/dev": { workload: "sleepy" },
      },
    });
  });
  after(async () => fx?.close());
  const service = () => fx.server.service;

  it("deploys a component request as the Program PKO would run, with the job's own spec", async () => {
    const queued = await service().deploy({
      stack: "organization/orders/dev",
      workload: "orders-db",
      operation: "up",
      spec: { engine: "mysql", size: 5 },
    });
    const { job } = await followJob(fx.server, queued.id);
    assert.equal(job.status, "succeeded", job.error ?? "");
    assert.deepEqual(job.spec, { engine: "mysql", size: 5 });
    assert.match(job.output, /endpoint\s*:\s*"mysql:\/\/database:5"/);
    assert.ok(!job.output.includes("orders-db-password-3b9f"));
  });

  const refused = async (
    request: Parameters<JobFixture["server"]["service"]["deploy"]>[0],
    code: string,
    field: RegExp,
  ) => {
    const before = (await service().list({ pageSize: 100 })).jobs.length;
    await assert.rejects(service().deploy(request), (error: unknown) => {
      assert.ok(error instanceof JobServiceError, String(error));
      assert.equal(error.code, code);
      assert.match(error.message, field);
      return true;
    });
    assert.equal((await service().list({ pageSize: 100 })).jobs.length, before, "a job was created");
  };

  it("refuses an unknown stack, an unknown workload, an invalid operation and a spec that fails the schema", async () => {
    await refused(
      { stack: "organization/nope/dev", operation: "up" },
      "not_found",
      /^stack: no stack 'organization\/nope\/dev'/,
    );
    await refused(
      { stack: "organization/orders/dev", workload: "nope", operation: "up" },
      "not_found",
      /^workload: /,
    );
    await refused(
      { stack: "organization/orders/dev", workload: "sleepy", operation: "up" },
      "invalid_argument",
      /^workload: /,
    );
    await refused(
      { stack: "organization/orders/dev", operation: "deploy" },
      "invalid_argument",
      /^operation: 'deploy'/,
    );
    await refused(
      { stack: "organization/orders/dev", operation: "up", spec: { engine: "postgres", size: "ten" } },
      "invalid_argument",
      /^spec\.size: expected integer/,
    );
    await refused(
      {
        stack: "organization/orders/dev",
        operation: "up",
        spec: { engine: "postgres", size: 1, password: "x" },
      },
      "invalid_argument",
      /^spec\.password: /,
    );
    await refused(
      { stack: "organization/sleepy/dev", operation: "up", spec: {} },
      "invalid_argument",
      /^spec: /,
    );
    await refused(
      { stack: "organization/sleepy/dev", operation: "up", timeoutMs: 0 },
      "invalid_argument",
      /^timeout_seconds: /,
    );
  });

  it("lists newest first, filters, and pages", async () => {
    const ids: string[] = [];
    for (const operation of ["preview", "preview", "preview"]) {
      const job = await service().deploy({ stack: "organization/sleepy/dev", operation });
      ids.push(job.id);
      await followJob(fx.server, job.id);
    }
    const first = await service().list({
      stack: "organization/sleepy/dev",
      operation: "preview",
      pageSize: 2,
    });
    assert.deepEqual(
      first.jobs.map((j) => j.id),
      [ids[2], ids[1]],
    );
    const second = await service().list({
      stack: "organization/sleepy/dev",
      pageSize: 2,
      pageToken: first.nextPageToken,
    });
    assert.deepEqual(
      second.jobs.map((j) => j.id),
      [ids[0]],
    );
    assert.equal(second.nextPageToken, "");
    assert.equal(
      (await service().list({ status: "failed", stack: "organization/sleepy/dev" })).jobs.length,
      0,
    );
    await assert.rejects(service().list({ pageSize: 0 }), /page_size/);
    await assert.rejects(
      service().get("no-such-job"),
      (e: unknown) => e instanceof JobServiceError && e.code === "not_found",
    );
  });
});
