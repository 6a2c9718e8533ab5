import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Code, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { createJobsClient, type JobsClient } from "../../../src/jobs/api/client";
import { Operation, StackJobs } from "../../../src/jobs/api/gen/stackwright/jobs/v1/jobs_pb";
import { type ApiServer, startApiServer } from "../../../src/jobs/api/server";
import {
  collect,
  FakeJobService,
  postJson,
  rejectsWith,
  SERVICE_PATH,
  TOKEN,
  TRANSPORTS,
  WRONG_TOKEN,
} from "../../support/job-api-fixture";

describe("StackJobs API bearer token", () => {
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
            client.deployCloudResource({ stack: "acme/app/ok", operation: Operation.UP }),
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
    });
  }

  describe("plain HTTP with JSON", () => {
    const post = (method: string, body: string, token: string | null = TOKEN) =>
      postJson(server.url, method, body, token);

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
  });
});
