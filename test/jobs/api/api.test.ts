import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { EventEmitter, once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect as http2Connect } from "node:http2";
import { type AddressInfo, connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join, relative } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { Command, CommanderError } from "commander";
import { registerJobCommands } from "../../../src/cli/jobs-cli";
import { StackwrightInputError } from "../../../src/core/errors";
import { createJobsClient, type JobsClient } from "../../../src/jobs/api/client";
import { StackJobs, type StackUpdateEvent } from "../../../src/jobs/api/gen/stackwright/jobs/v1/jobs_pb";
import { type ApiServer, startApiServer } from "../../../src/jobs/api/server";
import { TOKEN_ENV } from "../../../src/jobs/config/api-tokens";
import {
  isOperation,
  type Job,
  type JobEvent,
  type JobStatus,
  OPERATIONS,
  TERMINAL_STATUSES,
} from "../../../src/jobs/domain/job";
import {
  type DeployRequest,
  type JobPage,
  type JobService,
  JobServiceError,
  type ListQuery,
} from "../../../src/jobs/domain/job-service";
import { createSniffingListener } from "../../../src/jobs/transport/protocol-sniff";
import { REPO_ROOT } from "../../support/paths";

const TOKEN = "test-token-5f0c2a9e7d41b3c8";
const WRONG_TOKEN = "wrong-token-9a8b7c6d5e4f3a2b";
const TRANSPORTS = ["grpc", "connect-json"] as const;
const SERVICE_PATH = "/stackwright.jobs.v1.StackJobs";

/**
 * What the fake's jobs do once deployed, by stack: `ok` runs two resources and succeeds, `bad`
 * fails, `idle` stays queued until canceled (its watch never ends on its own).
 */
const STACKS: Record<string, "ok" | "bad" | "idle"> = {
  "acme/app/ok": "ok",
  "acme/app/bad": "bad",
  "acme/app/idle": "idle",
};

/** An in-memory JobService: enough behaviour to exercise the transport, and a record of calls. */
class FakeJobService implements JobService {
  readonly calls: string[] = [];
  /** Watches whose iterator has not finished: shows the API stops the service's iterator. */
  openWatches = 0;
  private readonly jobs = new Map<string, Job>();
  private readonly events = new Map<string, JobEvent[]>();
  private readonly changed = new EventEmitter().setMaxListeners(0);
  private created = 1_700_000_000_000;

  async deploy(request: DeployRequest): Promise<Job> {
    this.calls.push("deploy");
    const behaviour = STACKS[request.stack];
    if (behaviour === undefined)
      throw new JobServiceError("invalid_argument", "stack", `no stack "${request.stack}" is registered`);
    if (!isOperation(request.operation))
      throw new JobServiceError("invalid_argument", "operation", `expected one of ${OPERATIONS.join(", ")}`);
    this.created += 1000;
    const job: Job = {
      id: `job-${this.jobs.size + 1}`,
      stack: request.stack,
      workload: "app",
      operation: request.operation,
      status: "queued",
      createdAt: this.created,
      startedAt: null,
      finishedAt: null,
      attempt: 0,
      exitCode: null,
      error: null,
      changes: null,
      output: "",
      outputTruncated: false,
      timeoutMs: request.timeoutMs ?? 600_000,
      cancelRequested: false,
      spec: request.spec ?? null,
    };
    this.jobs.set(job.id, job);
    this.record(job.id, "status", { status: "queued" });
    if (behaviour !== "idle") void this.run(job.id, behaviour === "ok");
    return job;
  }

  async get(id: string): Promise<Job> {
    this.calls.push("get");
    return this.job(id);
  }

  async list(query: ListQuery): Promise<JobPage> {
    this.calls.push("list");
    const offset = query.pageToken === undefined ? 0 : Number(query.pageToken);
    if (!Number.isInteger(offset))
      throw new JobServiceError("invalid_argument", "page_token", "not a page token");
    const size = query.pageSize ?? 20;
    const matching = [...this.jobs.values()]
      .filter(
        (j) =>
          (query.stack === undefined || j.stack === query.stack) &&
          (query.workload === undefined || j.workload === query.workload) &&
          (query.status === undefined || j.status === query.status) &&
          (query.operation === undefined || j.operation === query.operation),
      )
      .sort((a, b) => b.createdAt - a.createdAt);
    const jobs = matching.slice(offset, offset + size);
    return { jobs, nextPageToken: offset + size < matching.length ? String(offset + size) : "" };
  }

  async cancel(id: string): Promise<Job> {
    this.calls.push("cancel");
    const job = this.job(id);
    if (TERMINAL_STATUSES.has(job.status)) return job;
    this.update(id, { status: "canceled", cancelRequested: true, finishedAt: Date.now() });
    return this.job(id);
  }

  async *watch(id: string, afterSeq: number, signal?: AbortSignal): AsyncIterable<JobEvent> {
    this.calls.push("watch");
    this.job(id);
    this.openWatches++;
    try {
      let seq = afterSeq;
      for (;;) {
        const events = this.events.get(id) ?? [];
        while (seq < events.length) {
          const event = events[seq++] as JobEvent;
          yield event;
          if (event.kind === "status" && TERMINAL_STATUSES.has(event.data.status as JobStatus)) return;
        }
        if (signal?.aborted || TERMINAL_STATUSES.has(this.job(id).status)) return;
        // Deliberately deaf to `signal` while waiting: the API must not depend on the service noticing.
        await once(this.changed, id);
      }
    } finally {
      this.openWatches--;
    }
  }

  private async run(id: string, succeed: boolean): Promise<void> {
    const step = async () => sleep(5);
    await step();
    this.update(id, { status: "running", startedAt: Date.now(), attempt: 1 });
    for (const name of ["a", "b"]) {
      await step();
      this.record(id, "resourcePreEvent", { urn: urn(name), type: "test:index:Thing", op: "create" });
    }
    await step();
    this.record(id, "diagnosticEvent", { severity: "info", message: "working" });
    this.record(id, "resOutputsEvent", { urn: urn("a"), type: "test:index:Thing", op: "create" });
    await step();
    // The engine's own shape: the URN under metadata.
    this.record(id, "resOutputsEvent", {
      metadata: { urn: urn("b"), type: "test:index:Thing", op: "create" },
    });
    await step();
    this.update(
      id,
      succeed
        ? {
            status: "succeeded",
            exitCode: 0,
            changes: { create: 2 },
            output: "done\n",
            finishedAt: Date.now(),
          }
        : {
            // As a job stored by an older service: with the engine's terminal escapes.
            status: "failed",
            exitCode: 1,
            error: "\u001b[31mthe database refused: boom\u001b[0m",
            output: "\u001b[1mworking\u001b[0m\r\n\u001b]0;title\u0007done\n",
            finishedAt: Date.now(),
          },
    );
  }

  private update(id: string, fields: Partial<Job>): void {
    this.jobs.set(id, { ...this.job(id), ...fields });
    if (fields.status !== undefined) this.record(id, "status", { status: fields.status });
  }

  private record(jobId: string, kind: string, data: Record<string, unknown>): void {
    const events = this.events.get(jobId) ?? [];
    events.push({ jobId, seq: events.length + 1, at: Date.now(), kind, data });
    this.events.set(jobId, events);
    this.changed.emit(jobId);
  }

  private job(id: string): Job {
    const job = this.jobs.get(id);
    if (job === undefined) throw new JobServiceError("not_found", "id", `no job "${id}"`);
    return job;
  }
}

function urn(name: string): string {
  return `urn:pulumi:dev::app::test:index:Thing::${name}`;
}

async function collect(stream: AsyncIterable<StackUpdateEvent>): Promise<StackUpdateEvent[]> {
  const events: StackUpdateEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

async function rejectsWith(call: Promise<unknown>, code: Code, message?: RegExp): Promise<ConnectError> {
  try {
    await call;
  } catch (error) {
    const connectError = ConnectError.from(error);
    assert.equal(Code[connectError.code], Code[code], connectError.message);
    if (message) assert.match(connectError.rawMessage, message);
    return connectError;
  }
  assert.fail(`expected ${Code[code]}`);
}

/** Polls `condition` for up to 15 s of wall time (a loaded 2-core machine is slow to notice a disconnect). */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe("StackJobs API", () => {
  let fake: FakeJobService;
  let server: ApiServer;
  const clients = {} as Record<(typeof TRANSPORTS)[number], JobsClient>;

  before(async () => {
    fake = new FakeJobService();
    server = await startApiServer({ service: fake, token: TOKEN, port: 0 });
    for (const transport of TRANSPORTS)
      clients[transport] = createJobsClient({ baseUrl: server.url, token: TOKEN, transport });
  });
  after(async () => server?.close());

  it("listens on 127.0.0.1 by default", () => {
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
  });

  for (const transport of TRANSPORTS) {
    describe(transport, () => {
      it("deploys, gets, lists newest first and cancels", async () => {
        const client = clients[transport];
        const { update: first } = await client.deployCloudResource({
          stack: "acme/app/idle",
          operation: "preview",
          timeoutSeconds: 90,
        });
        assert.ok(first);
        assert.equal(first.status, "queued");
        assert.equal(first.operation, "preview");
        assert.equal(first.timeoutMs, 90_000);
        assert.equal(first.startedAt, undefined);
        assert.equal(first.exitCode, undefined);
        const { update: second } = await client.deployCloudResource({
          stack: "acme/app/idle",
          operation: "up",
        });
        assert.ok(second);

        const got = await client.getStackUpdate({ id: first.id });
        assert.equal(got.id, first.id);
        assert.equal(got.stack, "acme/app/idle");
        assert.equal(got.workload, "app");
        assert.ok(got.createdAt && timestampMs(got.createdAt) > 1_700_000_000_000);

        const page = await client.listStackUpdates({ stack: "acme/app/idle", status: "queued", pageSize: 1 });
        assert.deepEqual(
          page.updates.map((u) => u.id),
          [second.id],
        );
        const rest = await client.listStackUpdates({
          stack: "acme/app/idle",
          status: "queued",
          pageToken: page.nextPageToken,
        });
        assert.ok(rest.updates.some((u) => u.id === first.id));

        const canceled = await client.cancelStackUpdate({ id: first.id });
        assert.equal(canceled.status, "canceled");
        assert.equal(canceled.cancelRequested, true);
        await client.cancelStackUpdate({ id: second.id });
      });

      it("streams a job's events in order and ends after the terminal status", async () => {
        const client = clients[transport];
        const { update } = await client.deployCloudResource({ stack: "acme/app/ok", operation: "up" });
        assert.ok(update);
        const events = await collect(client.watchStackUpdate({ id: update.id }));
        assert.deepEqual(
          events.map((e) => e.seq),
          events.map((_, i) => i + 1),
        );
        assert.ok(events.every((e) => e.jobId === update.id && e.at !== undefined));
        assert.deepEqual(
          events.filter((e) => e.kind === "status").map((e) => e.status),
          ["queued", "running", "succeeded"],
        );
        assert.ok(events.filter((e) => e.kind !== "status").every((e) => e.status === ""));
        assert.equal(events.at(-1)?.status, "succeeded");
        const pre = events.find((e) => e.kind === "resourcePreEvent");
        assert.deepEqual(pre?.data, { urn: urn("a"), type: "test:index:Thing", op: "create" });

        const later = await collect(client.watchStackUpdate({ id: update.id, afterSeq: 3 }));
        assert.deepEqual(
          later.map((e) => e.seq),
          events.slice(3).map((e) => e.seq),
        );

        const done = await client.getStackUpdate({ id: update.id });
        assert.equal(done.status, "succeeded");
        assert.equal(done.exitCode, 0);
        assert.deepEqual(done.changes, { create: 2n });
      });

      it("answers NotFound and InvalidArgument naming the field", async () => {
        const client = clients[transport];
        await rejectsWith(client.getStackUpdate({ id: "job-404" }), Code.NotFound, /^id: no job "job-404"$/);
        await rejectsWith(client.cancelStackUpdate({ id: "job-404" }), Code.NotFound, /^id: /);
        await rejectsWith(collect(client.watchStackUpdate({ id: "job-404" })), Code.NotFound, /^id: /);
        await rejectsWith(client.getStackUpdate({ id: "" }), Code.InvalidArgument, /^id: /);
        await rejectsWith(client.cancelStackUpdate({ id: " " }), Code.InvalidArgument, /^id: /);
        await rejectsWith(collect(client.watchStackUpdate({ id: "" })), Code.InvalidArgument, /^id: /);
        await rejectsWith(
          client.deployCloudResource({ stack: "a/b/c", operation: "up" }),
          Code.InvalidArgument,
          /^stack: no stack "a\/b\/c" is registered$/,
        );
        await rejectsWith(
          client.deployCloudResource({ stack: "acme/app/ok", operation: "explode" }),
          Code.InvalidArgument,
          /^operation: /,
        );
        await rejectsWith(client.listStackUpdates({ pageSize: 101 }), Code.InvalidArgument, /^page_size: /);
        await rejectsWith(
          client.listStackUpdates({ status: "done" }),
          Code.InvalidArgument,
          /^status: .*timed_out/,
        );
        await rejectsWith(
          client.listStackUpdates({ operation: "apply" }),
          Code.InvalidArgument,
          /^operation: /,
        );
        await rejectsWith(client.listStackUpdates({ pageToken: "x" }), Code.InvalidArgument, /^page_token: /);
      });

      it("refuses every RPC, the stream too, without the right token, before the service sees it", async () => {
        const unauthenticated =
          transport === "grpc"
            ? createClient(StackJobs, createGrpcTransport({ baseUrl: server.url }))
            : createClient(
                StackJobs,
                createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", useBinaryFormat: false }),
              );
        const wrong = createJobsClient({ baseUrl: server.url, token: WRONG_TOKEN, transport });
        const callsBefore = fake.calls.length;
        for (const client of [unauthenticated, wrong]) {
          const refusals = [
            client.deployCloudResource({ stack: "acme/app/ok", operation: "up" }),
            client.getStackUpdate({ id: "job-1" }),
            client.listStackUpdates({}),
            client.cancelStackUpdate({ id: "job-1" }),
            collect(client.watchStackUpdate({ id: "job-1" })),
          ];
          for (const refusal of refusals) {
            const error = await rejectsWith(refusal, Code.Unauthenticated);
            assert.ok(!error.message.includes(WRONG_TOKEN), "the error echoes the token");
          }
        }
        assert.deepEqual(fake.calls.slice(callsBefore), []);
      });

      it("stops the service's iterator when the client goes away", async () => {
        const client = clients[transport];
        const { update } = await client.deployCloudResource({ stack: "acme/app/idle", operation: "up" });
        assert.ok(update);
        const watchesBefore = fake.openWatches;
        const abort = new AbortController();
        const stream = collect(client.watchStackUpdate({ id: update.id }, { signal: abort.signal }));
        await until(() => fake.openWatches === watchesBefore + 1, "the watch to start");
        abort.abort();
        await rejectsWith(stream, Code.Canceled);
        // The fake only notices on its next event; the API must have let go of it by then.
        await client.cancelStackUpdate({ id: update.id });
        await until(() => fake.openWatches === watchesBefore, "the service's iterator to finish");
      });
    });
  }

  it("serves gRPC-Web on the same port", async () => {
    const { update } = await clients.grpc.deployCloudResource({ stack: "acme/app/idle", operation: "up" });
    assert.ok(update);
    const grpcWeb = createClient(
      StackJobs,
      createGrpcWebTransport({
        baseUrl: server.url,
        httpVersion: "1.1",
        interceptors: [
          (next) => (request) => {
            request.header.set("authorization", `Bearer ${TOKEN}`);
            return next(request);
          },
        ],
      }),
    );
    assert.equal((await grpcWeb.getStackUpdate({ id: update.id })).id, update.id);
  });

  describe("plain HTTP with JSON", () => {
    /** `null`: no Authorization header. */
    const post = (method: string, body: string, token: string | null = TOKEN) =>
      fetch(`${server.url}${SERVICE_PATH}/${method}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token !== null && { authorization: `Bearer ${token}` }),
        },
        body,
      });

    it("answers GetStackUpdate with lowerCamelCase JSON", async () => {
      const { update } = await clients.grpc.deployCloudResource({
        stack: "acme/app/idle",
        operation: "refresh",
      });
      assert.ok(update);
      const response = await post("GetStackUpdate", JSON.stringify({ id: update.id }));
      assert.equal(response.status, 200);
      const json = (await response.json()) as Record<string, unknown>;
      assert.equal(json.id, update.id);
      assert.equal(json.operation, "refresh");
      assert.equal(json.status, "queued");
      assert.equal(json.timeoutMs, 600_000);
      assert.match(String(json.createdAt), /^\d{4}-\d\d-\d\dT/);
      assert.ok(
        Object.keys(json).every((key) => /^[a-z][A-Za-z]*$/.test(key)),
        Object.keys(json).join(),
      );
    });

    it("answers 401 without the right token, and does not echo it", async () => {
      const callsBefore = fake.calls.length;
      for (const method of [
        "DeployCloudResource",
        "GetStackUpdate",
        "ListStackUpdates",
        "CancelStackUpdate",
      ]) {
        for (const token of [null, WRONG_TOKEN, ""]) {
          const response = await post(method, "{}", token);
          assert.equal(response.status, 401, `${method} with token ${JSON.stringify(token)}`);
          const body = (await response.json()) as { code: string; message: string };
          assert.equal(body.code, "unauthenticated");
          assert.ok(!body.message.includes(WRONG_TOKEN));
        }
      }
      const basic = await fetch(`${server.url}${SERVICE_PATH}/ListStackUpdates`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Basic ${TOKEN}` },
        body: "{}",
      });
      assert.equal(basic.status, 401);
      assert.deepEqual(fake.calls.slice(callsBefore), []);
    });

    it("answers 404 for an unknown job and 400 naming the field for a bad request", async () => {
      const notFound = await post("GetStackUpdate", JSON.stringify({ id: "job-404" }));
      assert.equal(notFound.status, 404);
      assert.deepEqual(await notFound.json(), { code: "not_found", message: 'id: no job "job-404"' });
      const badStatus = await post("ListStackUpdates", JSON.stringify({ status: "done" }));
      assert.equal(badStatus.status, 400);
      assert.match(((await badStatus.json()) as { message: string }).message, /^status: /);
    });

    it("answers 400 for a malformed JSON body", async () => {
      for (const body of ["{not json", JSON.stringify({ pageSize: -1 }), JSON.stringify({ id: 7 })]) {
        const method = body.includes("pageSize") ? "ListStackUpdates" : "GetStackUpdate";
        const response = await post(method, body);
        assert.equal(response.status, 400, body);
        assert.equal(((await response.json()) as { code: string }).code, "invalid_argument");
      }
    });
  });
});

describe("StackJobs API server close", () => {
  it("ends open streams and returns", async () => {
    const fake = new FakeJobService();
    const server = await startApiServer({ service: fake, token: TOKEN });
    try {
      const grpc = createJobsClient({ baseUrl: server.url, token: TOKEN, transport: "grpc" });
      const json = createJobsClient({ baseUrl: server.url, token: TOKEN, transport: "connect-json" });
      const { update } = await grpc.deployCloudResource({ stack: "acme/app/idle", operation: "up" });
      assert.ok(update);
      // Settled into values at once, so that no rejection is left unhandled while close() runs.
      const endings = [grpc, json].map((client) =>
        collect(client.watchStackUpdate({ id: update.id })).then(
          () => "ended as if the job were over",
          (error: unknown) => Code[ConnectError.from(error).code],
        ),
      );
      await until(() => fake.openWatches === 2, "both watches to start");
      const started = Date.now();
      await server.close();
      assert.deepEqual(await Promise.all(endings), [Code[Code.Unavailable], Code[Code.Unavailable]]);
      assert.ok(Date.now() - started < 1500, `close took ${Date.now() - started} ms`);
    } finally {
      await server.close();
    }
  });
});

describe("protocol sniff", () => {
  it("hands each connection over with every byte, also when they arrive in pieces", async () => {
    let handOver = (_protocol: string, _socket: Socket) => {};
    const target = (protocol: string) => ({
      emit: (_event: "connection", socket: Socket) => {
        handOver(protocol, socket);
        return true;
      },
    });
    const listener = createSniffingListener({ http1: target("http1"), http2: target("http2") });
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = listener.address() as AddressInfo;
      for (const [text, expected] of [
        ["PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n<frames>", "http2"],
        ["POST / HTTP/1.1\r\n\r\n", "http1"],
      ] as const) {
        const received = new Promise<string>((resolve) => {
          handOver = (protocol, socket) => {
            let data = "";
            socket.on("data", (chunk: Buffer) => {
              data += chunk.toString("latin1");
              if (data.length >= text.length) resolve(`${protocol} ${data}`);
            });
            socket.resume();
          };
        });
        const client = connect(port, "127.0.0.1");
        await once(client, "connect");
        for (const piece of [text.slice(0, 3), text.slice(3, 9), text.slice(9)]) {
          client.write(piece, "latin1");
          await sleep(20);
        }
        assert.equal(await received, `${expected} ${text}`);
        client.destroy();
      }
    } finally {
      listener.close();
    }
  });
});

describe("generated API code", () => {
  it("matches proto/ (run `npm run gen:api` after changing it)", () => {
    const out = mkdtempSync(join(tmpdir(), "stackwright-gen-"));
    try {
      const env = {
        ...process.env,
        PATH: `${join(REPO_ROOT, "node_modules", ".bin")}${delimiter}${process.env.PATH}`,
      };
      const buf = join(REPO_ROOT, "node_modules", ".bin", "buf");
      const lint = spawnSync(buf, ["lint", "proto"], { cwd: REPO_ROOT, env, encoding: "utf8" });
      assert.equal(lint.status, 0, lint.stdout + lint.stderr);
      const gen = spawnSync(buf, ["generate", "--template", "proto/buf.gen.yaml", "-o", out], {
        cwd: REPO_ROOT,
        env,
        encoding: "utf8",
      });
      assert.equal(gen.status, 0, gen.stdout + gen.stderr);
      const committed = join(REPO_ROOT, "src", "jobs", "api", "gen");
      const fresh = join(out, "src", "jobs", "api", "gen");
      const files = (dir: string) =>
        readdirSync(dir, { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
          .sort();
      assert.deepEqual(files(committed), files(fresh));
      for (const file of files(fresh))
        assert.equal(
          readFileSync(join(committed, file), "utf8"),
          readFileSync(join(fresh, file), "utf8"),
          `${file} differs from what proto/ generates`,
        );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe("job commands", () => {
  let fake: FakeJobService;
  let server: ApiServer;
  let dir: string;
  let tokenFile: string;
  const savedToken = process.env[TOKEN_ENV];

  before(async () => {
    delete process.env[TOKEN_ENV];
    fake = new FakeJobService();
    server = await startApiServer({ service: fake, token: TOKEN });
    dir = mkdtempSync(join(tmpdir(), "stackwright-cli-"));
    tokenFile = join(dir, "api-token");
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  });
  after(async () => {
    if (savedToken !== undefined) process.env[TOKEN_ENV] = savedToken;
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** As `stackwright` runs a command: bad input and failures exit 1, printed one problem a line. */
  async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const program = new Command("stackwright")
      .exitOverride()
      .configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => err.push(s) });
    registerJobCommands(program, { log: (line) => out.push(line), err: (line) => err.push(line) });
    try {
      await program.parseAsync(argv, { from: "user" });
      return { code: 0, out, err };
    } catch (error) {
      if (error instanceof CommanderError) return { code: error.exitCode === 0 ? 0 : 2, out, err };
      if (!(error instanceof StackwrightInputError)) throw error;
      for (const p of error.problems) err.push(`stackwright: error: ${p.at}: ${p.message}`);
      return { code: 1, out, err };
    }
  }
  const connection = () => ["--url", server.url, "--token-file", tokenFile];

  it("deploy prints the job id", async () => {
    const { code, out } = await run("deploy", "acme/app/idle", "--operation", "preview", ...connection());
    assert.equal(code, 0);
    assert.match(out.join("\n"), /^job-\d+$/);
  });

  it("deploy --watch follows a job that succeeds and exits 0", async () => {
    const { code, out, err } = await run("deploy", "acme/app/ok", "--watch", ...connection());
    assert.equal(code, 0, err.join("\n"));
    const id = out[0] ?? "";
    assert.match(id, /^job-\d+$/);
    assert.match(out.join("\n"), new RegExp(`^${id}  running  resources 2/2  \\d+s$`, "m"));
    assert.match(out.join("\n"), new RegExp(`^${id}  succeeded  resources 2/2  \\d+s$`, "m"));
    assert.match(out.join("\n"), /^changes: create 2$/m);
    assert.deepEqual(err, []);
  });

  it("deploy --watch exits 1 with the job's error when the job fails", async () => {
    const { code, out, err } = await run("deploy", "acme/app/bad", "--watch", ...connection());
    assert.equal(code, 1);
    assert.deepEqual(err, [`stackwright: error: job ${out[0]}: failed: the database refused: boom`]);
  });

  it("jobs get shows a job's output and error as plain text, never the terminal escapes stored", async () => {
    const id = (await run("deploy", "acme/app/bad", "--watch", ...connection())).out[0] ?? "";
    const shown = await run("jobs", "get", id, ...connection());
    assert.equal(shown.code, 0);
    const text = shown.out.join("\n");
    assert.match(text, /^error: +the database refused: boom$/m);
    assert.match(text, /^ {2}working\n {2}done$/m);
    for (const control of ["\u001b", "\u0007", "\r"])
      assert.ok(!text.includes(control), JSON.stringify(text));
  });

  it("refuses bad flags and reports the service's refusals by field", async () => {
    const badOperation = await run("deploy", "acme/app/ok", "--operation", "apply", ...connection());
    assert.equal(badOperation.code, 1);
    assert.match(badOperation.err.join("\n"), /^stackwright: error: --operation: expected one of/);
    const unknown = await run("deploy", "a/b/c", ...connection());
    assert.equal(unknown.code, 1);
    assert.deepEqual(unknown.err, ['stackwright: error: stack: no stack "a/b/c" is registered']);
    const missing = await run("jobs", "get", "job-404", ...connection());
    assert.deepEqual(missing, { code: 1, out: [], err: ['stackwright: error: id: no job "job-404"'] });
  });

  it("without a token prints one line naming the variable and the token file", async () => {
    const callsBefore = fake.calls.length;
    const absent = join(dir, "no-such-token");
    const { code, err } = await run("deploy", "acme/app/ok", "--url", server.url, "--token-file", absent);
    assert.equal(code, 1);
    assert.equal(err.length, 1);
    assert.match(
      err[0] ?? "",
      new RegExp(`^stackwright: error: ${TOKEN_ENV}: .*${absent.replaceAll("/", "\\/")}`),
    );
    assert.deepEqual(fake.calls.slice(callsBefore), []);
  });

  it("takes the token from the environment first, and never shows a refused one", async () => {
    process.env[TOKEN_ENV] = WRONG_TOKEN;
    try {
      const { code, err } = await run("jobs", "list", ...connection());
      assert.equal(code, 1);
      assert.match(err.join("\n"), new RegExp(`^stackwright: error: ${TOKEN_ENV}: .*refused`));
      assert.ok(!err.join("\n").includes(WRONG_TOKEN));
    } finally {
      delete process.env[TOKEN_ENV];
    }
  });

  it("jobs list, get --json and cancel", async () => {
    const deployed = await run("deploy", "acme/app/idle", ...connection());
    const id = deployed.out[0] ?? "";
    const listed = await run("jobs", "list", "--stack", "acme/app/idle", "--limit", "1", ...connection());
    assert.equal(listed.code, 0);
    assert.match(listed.out[0] ?? "", /^ID\s+STACK\s+OPERATION\s+STATUS\s+CREATED$/);
    assert.match(listed.out[1] ?? "", new RegExp(`^${id}\\s+acme/app/idle\\s+up\\s+queued\\s+\\d{4}-`));
    assert.equal(listed.out.length, 2);

    const shown = await run("jobs", "get", id, ...connection());
    assert.match(shown.out.join("\n"), /^status: +queued$/m);
    const json = await run("jobs", "get", id, "--json", ...connection());
    assert.equal((JSON.parse(json.out.join("\n")) as { id: string }).id, id);

    const canceled = await run("jobs", "cancel", id, ...connection());
    assert.deepEqual(canceled, { code: 0, out: [`${id} canceled`], err: [] });
  });
});

describe("StackJobs API against malformed binary requests", () => {
  let fake: FakeJobService;
  let server: ApiServer;
  before(async () => {
    fake = new FakeJobService();
    server = await startApiServer({ service: fake, token: TOKEN });
  });
  after(async () => server?.close());

  /** A gRPC-Web or gRPC frame: flags, length, payload. */
  const frame = (flags: number, payload: Uint8Array) => {
    const header = Buffer.alloc(5);
    header.writeUInt8(flags, 0);
    header.writeUInt32BE(payload.byteLength, 1);
    return Buffer.concat([header, payload]);
  };
  // Field 1 (id, a string) announcing 100 bytes that never come.
  const truncated = Uint8Array.from([0x0a, 0x64, 0x61]);
  const valid = Buffer.concat([Buffer.from([0x0a, 0x05]), Buffer.from("job-1")]);

  it("answers a binary Connect body that is not protobuf invalid_argument (400), not internal", async () => {
    const callsBefore = fake.calls.length;
    for (const body of [truncated, Uint8Array.from([0xff, 0xff, 0xff, 0xff])]) {
      const response = await fetch(`${server.url}${SERVICE_PATH}/GetStackUpdate`, {
        method: "POST",
        headers: { "content-type": "application/proto", authorization: `Bearer ${TOKEN}` },
        body,
      });
      assert.equal(
        response.status,
        400,
        `${Buffer.from(body).toString("hex")}: ${await response.clone().text()}`,
      );
      const json = (await response.json()) as { code: string; message: string };
      assert.equal(json.code, "invalid_argument");
      assert.match(json.message, /GetStackUpdateRequest/);
    }
    assert.deepEqual(fake.calls.slice(callsBefore), []);
  });

  it("answers gRPC-Web frames flagged compressed without an encoding, or not protobuf, invalid_argument", async () => {
    const grpcWeb = (body: Buffer, headers: Record<string, string> = {}) =>
      fetch(`${server.url}${SERVICE_PATH}/GetStackUpdate`, {
        method: "POST",
        headers: {
          "content-type": "application/grpc-web+proto",
          "x-grpc-web": "1",
          authorization: `Bearer ${TOKEN}`,
          ...headers,
        },
        body,
      });
    for (const [what, response] of [
      ["compressed flag, no encoding", await grpcWeb(frame(1, valid))],
      ["compressed flag, identity", await grpcWeb(frame(1, valid), { "grpc-encoding": "identity" })],
      ["not protobuf", await grpcWeb(frame(0, truncated))],
    ] as const) {
      assert.equal(response.status, 200, what);
      assert.equal(grpcStatusOf(response.headers, Buffer.from(await response.arrayBuffer())), "3", what);
    }
    // A well-formed one is still answered.
    const ok = await grpcWeb(frame(0, Buffer.concat([Buffer.from([0x0a, 0x07]), Buffer.from("job-404")])));
    assert.equal(grpcStatusOf(ok.headers, Buffer.from(await ok.arrayBuffer())), "5", "not_found for job-404");
  });

  it("answers a gRPC (HTTP/2) message that is not protobuf invalid_argument", async () => {
    const session = http2Connect(server.url);
    try {
      const stream = session.request({
        ":method": "POST",
        ":path": `${SERVICE_PATH}/GetStackUpdate`,
        "content-type": "application/grpc+proto",
        te: "trailers",
        authorization: `Bearer ${TOKEN}`,
      });
      const status = new Promise<string | undefined>((resolve, reject) => {
        let fromHeaders: string | undefined;
        stream.on("response", (headers) => {
          fromHeaders = headers["grpc-status"] as string | undefined;
        });
        stream.on("trailers", (trailers) => resolve(trailers["grpc-status"] as string | undefined));
        stream.on("end", () => resolve(fromHeaders));
        stream.on("error", reject);
      });
      stream.resume();
      stream.end(frame(0, truncated));
      assert.equal(await status, "3");
    } finally {
      session.close();
    }
  });

  it("still refuses a malformed body without the token as unauthenticated, unread", async () => {
    const response = await fetch(`${server.url}${SERVICE_PATH}/GetStackUpdate`, {
      method: "POST",
      headers: { "content-type": "application/proto", authorization: `Bearer ${WRONG_TOKEN}` },
      body: truncated,
    });
    assert.equal(response.status, 401);
  });
});

/** grpc-status from a gRPC-Web answer: in the headers (trailers-only) or in the trailer frame. */
function grpcStatusOf(headers: Headers, body: Buffer): string | undefined {
  const inHeaders = headers.get("grpc-status");
  if (inHeaders !== null) return inHeaders;
  for (let at = 0; at + 5 <= body.length; ) {
    const flags = body.readUInt8(at);
    const length = body.readUInt32BE(at + 1);
    const payload = body.subarray(at + 5, at + 5 + length).toString("latin1");
    if (flags & 0x80) return /grpc-status: *(\d+)/i.exec(payload)?.[1];
    at += 5 + length;
  }
  return undefined;
}

describe("StackJobs API against slow and idle clients", () => {
  const limits = { maxConnections: 20, headersTimeoutMs: 1500, idleTimeoutMs: 1500 };
  let fake: FakeJobService;
  let server: ApiServer;
  const opened: Socket[] = [];
  before(async () => {
    fake = new FakeJobService();
    server = await startApiServer({ service: fake, token: TOKEN, limits });
  });
  after(async () => {
    for (const socket of opened) socket.destroy();
    await server?.close();
  });

  /** A raw connection that sends `bytes` and then nothing; resolves with when the server closed it. */
  async function slowClient(bytes: string | Buffer): Promise<{ closed: Promise<number> }> {
    const socket = connect(server.port, "127.0.0.1");
    opened.push(socket);
    socket.on("error", () => undefined);
    socket.resume();
    const closed = new Promise<number>((resolve) => socket.once("close", () => resolve(Date.now())));
    await once(socket, "connect");
    if (bytes.length > 0) socket.write(bytes);
    return { closed };
  }

  it("closes connections that never finish their headers, and holds no more than maxConnections", async () => {
    const started = Date.now();
    const clients = [];
    for (let i = 0; i < limits.maxConnections + 5; i++) {
      const kind = i % 3;
      clients.push(
        await slowClient(
          kind === 0
            ? `POST ${SERVICE_PATH}/GetStackUpdate HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bea`
            : kind === 1
              ? "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
              : "",
        ),
      );
    }
    const state = clients.map(() => "open");
    clients.forEach((c, i) => void c.closed.then(() => (state[i] = "closed")));
    await sleep(500);
    assert.equal(
      state.filter((s) => s === "closed").length,
      5,
      "the connections beyond maxConnections are closed on arrival, the others kept for now",
    );
    const deadline = limits.headersTimeoutMs + 3000;
    const closedAt = await Promise.race([
      Promise.all(clients.map((c) => c.closed)),
      sleep(deadline).then(() => undefined),
    ]);
    assert.ok(closedAt, `slow connections still open after ${deadline} ms: ${state.join(" ")}`);
    assert.ok(
      Math.max(...closedAt) - started >= limits.headersTimeoutMs - 100,
      "closed before their time was up",
    );
    const client = createJobsClient({ baseUrl: server.url, token: TOKEN, transport: "connect-json" });
    await rejectsWith(client.getStackUpdate({ id: "job-404" }), Code.NotFound);
  });

  it("closes an idle keep-alive connection, but never a quiet watch stream", async () => {
    const grpc = createJobsClient({ baseUrl: server.url, token: TOKEN, transport: "grpc" });
    const json = createJobsClient({ baseUrl: server.url, token: TOKEN, transport: "connect-json" });
    const { update } = await grpc.deployCloudResource({ stack: "acme/app/idle", operation: "up" });
    assert.ok(update);
    const watches = [grpc, json].map((client) => collect(client.watchStackUpdate({ id: update.id })));

    const keepAlive = await slowClient(
      `POST ${SERVICE_PATH}/GetStackUpdate HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\n` +
        `Content-Type: application/json\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n{}`,
    );
    const answered = Date.now();
    const closedAt = await keepAlive.closed;
    assert.ok(closedAt - answered < limits.idleTimeoutMs + 3000, "the idle connection was not closed");

    // Both watches have been quiet for longer than the idle and the header timeouts.
    await sleep(Math.max(0, answered + limits.idleTimeoutMs + 500 - Date.now()));
    await grpc.cancelStackUpdate({ id: update.id });
    for (const events of await Promise.all(watches))
      assert.deepEqual(
        events.filter((e) => e.kind === "status").map((e) => e.status),
        ["queued", "canceled"],
      );
  });
});
