import assert from "node:assert/strict";
import { connect as http2Connect } from "node:http2";
import { after, before, describe, it } from "node:test";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { type ApiServer, startApiServer } from "../../../src/jobs/api/server";
import { FakeJobService, SERVICE_PATH, TOKEN, WRONG_TOKEN } from "../../support/job-api-fixture";

describe("StackJobs API against malformed request bodies", () => {
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

  it("checks a compressed Connect body decompressed: a valid one is answered, a bad one refused", async () => {
    const notFound = Buffer.concat([Buffer.from([0x0a, 0x07]), Buffer.from("job-404")]);
    for (const [encoding, compress] of [
      ["gzip", gzipSync],
      ["br", brotliCompressSync],
    ] as const) {
      const post = (body: Uint8Array) =>
        fetch(`${server.url}${SERVICE_PATH}/GetStackUpdate`, {
          method: "POST",
          headers: {
            "content-type": "application/proto",
            "content-encoding": encoding,
            authorization: `Bearer ${TOKEN}`,
          },
          body: compress(body),
        });
      const answered = await post(notFound);
      assert.equal(answered.status, 404, `${encoding}: ${await answered.clone().text()}`);
      const refused = await post(truncated);
      assert.equal(refused.status, 400, encoding);
      assert.match(((await refused.json()) as { message: string }).message, /GetStackUpdateRequest/);
    }
  });

  it("refuses a JSON message naming an enum value the API does not have, in every protocol, naming the field", async () => {
    const message =
      "status: expected one of JOB_STATUS_QUEUED, JOB_STATUS_RUNNING, JOB_STATUS_SUCCEEDED, " +
      "JOB_STATUS_FAILED, JOB_STATUS_CANCELED, JOB_STATUS_TIMED_OUT";
    const unknown = Buffer.from(JSON.stringify({ status: "done" }));
    const callsBefore = fake.calls.length;

    const connect = await fetch(`${server.url}${SERVICE_PATH}/ListStackUpdates`, {
      method: "POST",
      headers: {
        "content-type": "application/json; charset=utf-8",
        "content-encoding": "gzip",
        authorization: `Bearer ${TOKEN}`,
      },
      body: gzipSync(unknown),
    });
    assert.equal(connect.status, 400);
    assert.deepEqual(await connect.json(), { code: "invalid_argument", message });

    const grpcWeb = (body: Buffer) =>
      fetch(`${server.url}${SERVICE_PATH}/ListStackUpdates`, {
        method: "POST",
        headers: {
          "content-type": "application/grpc-web+json",
          "x-grpc-web": "1",
          authorization: `Bearer ${TOKEN}`,
        },
        body,
      });
    const refused = await grpcWeb(frame(0, unknown));
    const refusedBody = Buffer.from(await refused.arrayBuffer());
    assert.equal(grpcStatusOf(refused.headers, refusedBody), "3");
    assert.equal(grpcTrailerOf(refused.headers, refusedBody, "grpc-message"), message);
    assert.deepEqual(fake.calls.slice(callsBefore), []);

    // A name the API has is answered.
    const ok = await grpcWeb(frame(0, Buffer.from(JSON.stringify({ status: "JOB_STATUS_QUEUED" }))));
    assert.equal(grpcStatusOf(ok.headers, Buffer.from(await ok.arrayBuffer())), "0");
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
  return grpcTrailerOf(headers, body, "grpc-status");
}

/** A trailer of a gRPC-Web answer, percent-decoded as grpc-message is sent. */
function grpcTrailerOf(headers: Headers, body: Buffer, name: string): string | undefined {
  const inHeaders = headers.get(name);
  if (inHeaders !== null) return decodeURIComponent(inHeaders);
  for (let at = 0; at + 5 <= body.length; ) {
    const flags = body.readUInt8(at);
    const length = body.readUInt32BE(at + 1);
    const payload = body.subarray(at + 5, at + 5 + length).toString("latin1");
    if (flags & 0x80) {
      const value = new RegExp(`^${name}: *(.*?)\r?$`, "im").exec(payload)?.[1];
      return value === undefined ? undefined : decodeURIComponent(value);
    }
    at += 5 + length;
  }
  return undefined;
}
