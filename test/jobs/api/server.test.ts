import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-node";
import { createJobsClient, type JobsClient } from "../../../src/jobs/api/client";
import { Operation, StackJobs } from "../../../src/jobs/api/gen/stackwright/jobs/v1/jobs_pb";
import { type ApiServer, startApiServer } from "../../../src/jobs/api/server";
import { collect, FakeJobService, TOKEN, TRANSPORTS, until } from "../../support/job-api-fixture";

describe("StackJobs API server", () => {
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

  it("serves gRPC-Web on the same port", async () => {
    const { update } = await clients.grpc.deployCloudResource({
      stack: "acme/app/idle",
      operation: Operation.UP,
    });
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
});

describe("StackJobs API server close", () => {
  it("ends open streams and returns", async () => {
    const fake = new FakeJobService();
    const server = await startApiServer({ service: fake, token: TOKEN });
    try {
      const grpc = createJobsClient({ baseUrl: server.url, token: TOKEN, transport: "grpc" });
      const json = createJobsClient({ baseUrl: server.url, token: TOKEN, transport: "connect-json" });
      const { update } = await grpc.deployCloudResource({ stack: "acme/app/idle", operation: Operation.UP });
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
