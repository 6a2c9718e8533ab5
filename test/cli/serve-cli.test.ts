import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createJobsClient } from "../../src/jobs/api/client";
import { JobStatus, Operation } from "../../src/jobs/api/gen/stackwright/jobs/v1/jobs_pb";
import { requireEngine } from "../support/isolated-engine";
import { sleepyProject, writeFixtureConfig } from "../support/job-fixture";
import { REPO_ROOT } from "../support/paths";
import { type ServeProcess, startServe } from "../support/serve-process";

const CLI = join(REPO_ROOT, "dist", "src", "cli", "stackwright.js");
const CANARY_CREDENTIAL = "serve-canary-credential-6d0b";
const CANARY_SECRET = "serve-canary-secret-91ce";
const OTHER_STACK_CREDENTIAL = "serve-other-stack-credential-3a7f";

function cli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

describe("stackwright serve, then stackwright deploy --watch, as a new user runs them", () => {
  let serve: ServeProcess;
  let dataDir: string;
  let url: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    await requireEngine();
    dataDir = join(mkdtempSync(join(tmpdir(), "stackwright-serve-")), ".stackwright");
    env = { ...process.env, STACKWRIGHT_DATA_DIR: dataDir };
    delete env.STACKWRIGHT_API_TOKEN;
    serve = startServe(["--port", "0"], env);
    url = (await serve.waitFor(/listening on (http:\/\/\S+)/))[1] as string;
  });
  after(async () => serve?.stop());
  const client = (transport: "grpc" | "connect-json") =>
    createJobsClient({
      baseUrl: url,
      token: readFileSync(join(dataDir, "api-token"), "utf8").trim(),
      transport,
    });

  it("serves the embedded stacks: deploy --watch shows progress and ends with the change summary", async () => {
    const tokenFile = join(dataDir, "api-token");
    assert.equal(readFileSync(tokenFile).length > 16, true);
    assert.ok(!serve.output().includes(readFileSync(tokenFile, "utf8").trim()), "serve printed the token");
    const run = await cli(
      ["deploy", "organization/hello/dev", "--watch", "--url", url, "--token-file", tokenFile],
      env,
    );
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /running\s+resources \d+\/\d+/);
    assert.match(run.stdout, /succeeded/);
    assert.match(run.stdout, /create 4/);
    const list = await cli(
      ["jobs", "list", "--url", url, "--token-file", tokenFile, "--stack", "organization/hello/dev"],
      env,
    );
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /organization\/hello\/dev\s+up\s+succeeded/);
  });

  it("answers gRPC and HTTP/JSON clients of the real service alike", async () => {
    const grpc = client("grpc");
    const { update } = await grpc.deployCloudResource({
      stack: "organization/hello/staging",
      operation: Operation.PREVIEW,
    });
    assert.ok(update);
    const statuses: JobStatus[] = [];
    for await (const event of grpc.watchStackUpdate({ id: update.id }))
      if (event.kind === "status") statuses.push(event.status);
    assert.deepEqual(statuses, [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED]);
    const viaJson = await client("connect-json").getStackUpdate({ id: update.id });
    assert.equal(viaJson.status, JobStatus.SUCCEEDED);
    assert.equal(viaJson.operation, Operation.PREVIEW);
    const raw = await fetch(`${url}/stackwright.jobs.v1.StackJobs/GetStackUpdate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: update.id }),
    });
    assert.equal(raw.status, 401);
  });

  it("refuses an unknown stack with the field named, exit 1, and no job", async () => {
    const tokenFile = join(dataDir, "api-token");
    const before = (await client("connect-json").listStackUpdates({ pageSize: 100 })).updates.length;
    const run = await cli(["deploy", "organization/nope/dev", "--url", url, "--token-file", tokenFile], env);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^stackwright: error: stack: no stack 'organization\/nope\/dev' is registered/m);
    assert.equal((await client("connect-json").listStackUpdates({ pageSize: 100 })).updates.length, before);
  });
});

describe("stackwright serve with secrets", () => {
  it("keeps canary secrets out of its log, the client's output and the database", async () => {
    await requireEngine();
    const { file, raw } = writeFixtureConfig({
      projects: {
        leaky: {
          ...sleepyProject("leaky", 1, 10),
          config: { apiKey: { type: "string", secret: true } },
          resources: {
            leak: {
              type: "testkit:index:Fail",
              properties: { message: "${apiKey}", messageFromEnv: "CANARY" },
            },
            // Another stack's credential, which this stack's engine must not even be given.
            snoop: {
              type: "testkit:index:Fail",
              properties: { message: "other: ", messageFromEnv: "PULUMI_ACCESS_TOKEN_OTHER" },
            },
          },
        },
      },
      stacks: {
        "organization/leaky/dev": {
          workload: "leaky",
          credentials: { CANARY: { fromEnv: "CANARY_SOURCE" } },
          secretConfig: { apiKey: { fromEnv: "SECRET_SOURCE" } },
        },
        "organization/leaky/prod": {
          workload: "leaky",
          credentials: { PULUMI_ACCESS_TOKEN: { fromEnv: "PULUMI_ACCESS_TOKEN_OTHER" } },
        },
      },
    });
    const env = {
      ...process.env,
      CANARY_SOURCE: CANARY_CREDENTIAL,
      SECRET_SOURCE: CANARY_SECRET,
      PULUMI_ACCESS_TOKEN_OTHER: OTHER_STACK_CREDENTIAL,
      STACKWRIGHT_API_TOKEN: "serve-test-api-token-0123456789",
    };
    const serve = startServe(["--config", file, "--port", "0"], env);
    try {
      const url = (await serve.waitFor(/listening on (http:\/\/\S+)/))[1] as string;
      const run = await cli(["deploy", "organization/leaky/dev", "--watch", "--url", url], env);
      assert.equal(run.code, 1, "the job fails");
      assert.match(run.stderr, /\[secret\]/);
      const id = run.stdout.split("\n")[0] as string;
      const get = await cli(["jobs", "get", id, "--url", url], env);
      assert.match(get.stdout, /other: *$/m, "the other stack's credential reached this stack's engine");
      await serve.stop();
      const dataDir = raw.dataDir as string;
      const database = readdirSync(dataDir)
        .filter((f) => f.startsWith("jobs.db"))
        .map((f) => readFileSync(join(dataDir, f)).toString("latin1"))
        .join("");
      for (const canary of [
        CANARY_CREDENTIAL,
        CANARY_SECRET,
        OTHER_STACK_CREDENTIAL,
        env.STACKWRIGHT_API_TOKEN,
      ])
        for (const [where, text] of [
          ["serve's log", serve.output()],
          ["deploy's output", run.stdout + run.stderr],
          ["jobs get", get.stdout + get.stderr],
          ["the database", database],
        ] as const)
          assert.ok(!text.includes(canary), `${canary} in ${where}`);
    } finally {
      await serve.stop();
    }
  });

  it("refuses a bad configuration file with the field named, exit 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stackwright-badconfig-"));
    const { file } = writeFixtureConfig(
      { projects: { p: sleepyProject("p", 0, 0) }, stacks: { "organization/p/dev": { workload: "nope" } } },
      dir,
    );
    const run = await cli(["serve", "--config", file, "--port", "0"], process.env);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^stackwright: error: stacks\.organization\/p\/dev\.workload: /m);
  });
});

describe("stackwright serve where it cannot serve", () => {
  const dataDir = () => join(mkdtempSync(join(tmpdir(), "stackwright-noserve-")), ".stackwright");
  const serveEnv = (extra: NodeJS.ProcessEnv = {}) => {
    const env: NodeJS.ProcessEnv = { ...process.env, STACKWRIGHT_DATA_DIR: dataDir(), ...extra };
    if (extra.STACKWRIGHT_API_TOKEN === undefined) delete env.STACKWRIGHT_API_TOKEN;
    return env;
  };
  /** One line naming the problem, exit 1: never an internal error with a stack trace. */
  const assertOneLine = (run: { code: number; stdout: string; stderr: string }, line: RegExp) => {
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
    assert.match(run.stderr, line);
    assert.doesNotMatch(run.stderr, /internal error|\n\s+at /);
  };

  it("on a busy port", async () => {
    const busy = createServer();
    busy.listen(0, "127.0.0.1");
    await once(busy, "listening");
    try {
      const port = (busy.address() as AddressInfo).port;
      const run = await cli(["serve", "--port", String(port)], serveEnv());
      assertOneLine(run, new RegExp(`^stackwright: error: --port: port ${port} on 127.0.0.1 is in use`));
    } finally {
      busy.close();
    }
  });

  it("on a host name that does not resolve, or an address that is not this machine's", async () => {
    const unresolvable = await cli(["serve", "--port", "0", "--host", "no-such-host.invalid"], serveEnv());
    assertOneLine(unresolvable, /^stackwright: error: --host: cannot resolve 'no-such-host.invalid'/);
    const foreign = await cli(["serve", "--port", "0", "--host", "192.0.2.1"], serveEnv());
    assertOneLine(foreign, /^stackwright: error: --host: '192.0.2.1' is not an address of this machine/);
  });

  it("with a too-short STACKWRIGHT_API_TOKEN", async () => {
    const run = await cli(["serve", "--port", "0"], serveEnv({ STACKWRIGHT_API_TOKEN: "tiny-tok" }));
    assertOneLine(run, /^stackwright: error: STACKWRIGHT_API_TOKEN: too short \(8 characters\)/);
    assert.ok(!run.stderr.includes("tiny-tok"), "the token itself is printed");
  });
});
