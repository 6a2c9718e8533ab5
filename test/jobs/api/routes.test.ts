import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { createJobsClient, type JobsClient } from "../../../src/jobs/api/client";
import { JobStatus, Operation } from "../../../src/jobs/api/gen/stackwright/jobs/v1/jobs_pb";
import { type ApiServer, startApiServer } from "../../../src/jobs/api/server";
import {
  collect,
  FakeJobService,
  postJson,
  rejectsWith,
  TOKEN,
  TRANSPORTS,
  until,
  urn,
} from "../../support/job-api-fixture";

describe("StackJobs API routes", () => {
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

  for (const transport of TRANSPORTS) {
    describe(transport, () => {
      it("deploys, gets, lists newest first and cancels", async () => {
        const client = clients[transport];
        const { update: first } = await client.deployCloudResource({
          stack: "acme/app/idle",
          operation: Operation.PREVIEW,
          timeoutSeconds: 90,
        });
        assert.ok(first);
        assert.equal(first.status, JobStatus.QUEUED);
        assert.equal(first.operation, Operation.PREVIEW);
        assert.equal(first.timeoutMs, 90_000);
        assert.equal(first.startedAt, undefined);
        assert.equal(first.exitCode, undefined);
        const { update: second } = await client.deployCloudResource({
          stack: "acme/app/idle",
          operation: Operation.UP,
        });
        assert.ok(second);

        const got = await client.getStackUpdate({ id: first.id });
        assert.equal(got.id, first.id);
        assert.equal(got.stack, "acme/app/idle");
        assert.equal(got.workload, "app");
        assert.ok(got.createdAt && timestampMs(got.createdAt) > 1_700_000_000_000);

        const page = await client.listStackUpdates({
          stack: "acme/app/idle",
          status: JobStatus.QUEUED,
          pageSize: 1,
        });
        assert.deepEqual(
          page.updates.map((u) => u.id),
          [second.id],
        );
        const rest = await client.listStackUpdates({
          stack: "acme/app/idle",
          status: JobStatus.QUEUED,
          pageToken: page.nextPageToken,
        });
        assert.ok(rest.updates.some((u) => u.id === first.id));

        const canceled = await client.cancelStackUpdate({ id: first.id });
        assert.equal(canceled.status, JobStatus.CANCELED);
        assert.equal(canceled.cancelRequested, true);
        await client.cancelStackUpdate({ id: second.id });
      });

      it("streams a job's events in order and ends after the terminal status", async () => {
        const client = clients[transport];
        const { update } = await client.deployCloudResource({
          stack: "acme/app/ok",
          operation: Operation.UP,
        });
        assert.ok(update);
        const events = await collect(client.watchStackUpdate({ id: update.id }));
        assert.deepEqual(
          events.map((e) => e.seq),
          events.map((_, i) => i + 1),
        );
        assert.ok(events.every((e) => e.jobId === update.id && e.at !== undefined));
        assert.deepEqual(
          events.filter((e) => e.kind === "status").map((e) => e.status),
          [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED],
        );
        assert.ok(events.filter((e) => e.kind !== "status").every((e) => e.status === JobStatus.UNSPECIFIED));
        assert.equal(events.at(-1)?.status, JobStatus.SUCCEEDED);
        const pre = events.find((e) => e.kind === "resourcePreEvent");
        assert.deepEqual(pre?.data, { urn: urn("a"), type: "test:index:Thing", op: "create" });

        const later = await collect(client.watchStackUpdate({ id: update.id, afterSeq: 3 }));
        assert.deepEqual(
          later.map((e) => e.seq),
          events.slice(3).map((e) => e.seq),
        );

        const done = await client.getStackUpdate({ id: update.id });
        assert.equal(done.status, JobStatus.SUCCEEDED);
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
          client.deployCloudResource({ stack: "a/b/c", operation: Operation.UP }),
          Code.InvalidArgument,
          /^stack: no stack "a\/b\/c" is registered$/,
        );
        // Unspecified, and a number this version does not know (proto3 enums are open); the
        // service never sees either.
        const callsBefore = fake.calls.length;
        for (const operation of [Operation.UNSPECIFIED, 99 as Operation])
          await rejectsWith(
            client.deployCloudResource({ stack: "acme/app/ok", operation }),
            Code.InvalidArgument,
            /^operation: expected one of OPERATION_PREVIEW, OPERATION_UP, OPERATION_REFRESH, OPERATION_DESTROY$/,
          );
        assert.deepEqual(fake.calls.slice(callsBefore), []);
        await rejectsWith(client.listStackUpdates({ pageSize: 101 }), Code.InvalidArgument, /^page_size: /);
        await rejectsWith(
          client.listStackUpdates({ status: 99 as JobStatus }),
          Code.InvalidArgument,
          /^status: expected one of JOB_STATUS_QUEUED, .*, JOB_STATUS_TIMED_OUT$/,
        );
        await rejectsWith(
          client.listStackUpdates({ operation: 42 as Operation }),
          Code.InvalidArgument,
          /^operation: expected one of OPERATION_PREVIEW, /,
        );
        await rejectsWith(client.listStackUpdates({ pageToken: "x" }), Code.InvalidArgument, /^page_token: /);
      });

      it("stops the service's iterator when the client goes away", async () => {
        const client = clients[transport];
        const { update } = await client.deployCloudResource({
          stack: "acme/app/idle",
          operation: Operation.UP,
        });
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

  describe("plain HTTP with JSON", () => {
    const post = (method: string, body: string, token: string | null = TOKEN) =>
      postJson(server.url, method, body, token);

    it("answers GetStackUpdate with lowerCamelCase JSON", async () => {
      const { update } = await clients.grpc.deployCloudResource({
        stack: "acme/app/idle",
        operation: Operation.REFRESH,
      });
      assert.ok(update);
      const response = await post("GetStackUpdate", JSON.stringify({ id: update.id }));
      assert.equal(response.status, 200);
      const json = (await response.json()) as Record<string, unknown>;
      assert.equal(json.id, update.id);
      assert.equal(json.operation, "OPERATION_REFRESH");
      assert.equal(json.status, "JOB_STATUS_QUEUED");
      assert.equal(json.timeoutMs, 600_000);
      assert.match(String(json.createdAt), /^\d{4}-\d\d-\d\dT/);
      assert.ok(
        Object.keys(json).every((key) => /^[a-z][A-Za-z]*$/.test(key)),
        Object.keys(json).join(),
      );
    });

    it("answers 404 for an unknown job and 400 naming the field for a bad request", async () => {
      const notFound = await post("GetStackUpdate", JSON.stringify({ id: "job-404" }));
      assert.equal(notFound.status, 404);
      assert.deepEqual(await notFound.json(), { code: "not_found", message: 'id: no job "job-404"' });
      const badStatus = await post("ListStackUpdates", JSON.stringify({ status: "done" }));
      assert.equal(badStatus.status, 400);
      assert.match(((await badStatus.json()) as { message: string }).message, /^status: /);
    });

    it("takes and answers enum names, and refuses other names naming the field, creating no job", async () => {
      const deployed = await post(
        "DeployCloudResource",
        // A spec is the component's own JSON: a `status` in it is no enum of the API's.
        JSON.stringify({ stack: "acme/app/idle", operation: "OPERATION_PREVIEW", spec: { status: "done" } }),
      );
      assert.equal(deployed.status, 200, await deployed.clone().text());
      const { update } = (await deployed.json()) as { update: Record<string, unknown> };
      assert.equal(update.operation, "OPERATION_PREVIEW");
      assert.equal(update.status, "JOB_STATUS_QUEUED");
      assert.deepEqual(update.spec, { status: "done" });

      const listed = await post(
        "ListStackUpdates",
        JSON.stringify({ status: "JOB_STATUS_QUEUED", operation: "OPERATION_PREVIEW", pageSize: 100 }),
      );
      assert.equal(listed.status, 200);
      const { updates } = (await listed.json()) as { updates: Record<string, unknown>[] };
      assert.ok(updates.some((u) => u.id === update.id));
      assert.ok(
        updates.every((u) => u.status === "JOB_STATUS_QUEUED" && u.operation === "OPERATION_PREVIEW"),
      );

      const callsBefore = fake.calls.length;
      const operations =
        "expected one of OPERATION_PREVIEW, OPERATION_UP, OPERATION_REFRESH, OPERATION_DESTROY";
      const statuses =
        "expected one of JOB_STATUS_QUEUED, JOB_STATUS_RUNNING, JOB_STATUS_SUCCEEDED, JOB_STATUS_FAILED, " +
        "JOB_STATUS_CANCELED, JOB_STATUS_TIMED_OUT";
      for (const [method, body, message] of [
        // The strings of before the enums, an unknown name, and none at all.
        ["DeployCloudResource", { stack: "acme/app/ok", operation: "preview" }, `operation: ${operations}`],
        [
          "DeployCloudResource",
          { stack: "acme/app/ok", operation: "OPERATION_APPLY" },
          `operation: ${operations}`,
        ],
        [
          "DeployCloudResource",
          { stack: "acme/app/ok", operation: "OPERATION_UNSPECIFIED" },
          `operation: ${operations}`,
        ],
        ["DeployCloudResource", { stack: "acme/app/ok" }, `operation: ${operations}`],
        ["ListStackUpdates", { status: "succeeded" }, `status: ${statuses}`],
        ["ListStackUpdates", { operation: "up" }, `operation: ${operations}`],
      ] as const) {
        const response = await post(method, JSON.stringify(body));
        assert.equal(response.status, 400, JSON.stringify(body));
        assert.deepEqual(await response.json(), { code: "invalid_argument", message }, JSON.stringify(body));
      }
      assert.deepEqual(fake.calls.slice(callsBefore), []);
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
