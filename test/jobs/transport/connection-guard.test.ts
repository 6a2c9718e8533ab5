import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Code } from "@connectrpc/connect";
import { createJobsClient } from "../../../src/jobs/api/client";
import { JobStatus, Operation } from "../../../src/jobs/api/gen/stackwright/jobs/v1/jobs_pb";
import { type ApiServer, startApiServer } from "../../../src/jobs/api/server";
import { collect, FakeJobService, rejectsWith, SERVICE_PATH, TOKEN } from "../../support/job-api-fixture";

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
    const { update } = await grpc.deployCloudResource({ stack: "acme/app/idle", operation: Operation.UP });
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
        [JobStatus.QUEUED, JobStatus.CANCELED],
      );
  });
});
