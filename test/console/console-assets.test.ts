import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request as http1Request } from "node:http";
import { connect as http2Connect } from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { createJobsClient } from "../../src/jobs/api/client";
import { Operation } from "../../src/jobs/api/gen/stackwright/jobs/v1/jobs_pb";
import { type ApiServer, startApiServer } from "../../src/jobs/api/server";
import { FakeJobService, postJson, TOKEN, TRANSPORTS } from "../support/job-api-fixture";
import { REPO_ROOT } from "../support/paths";

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Decompressed when it came gzipped. */
  readonly body: string;
  /** As sent. */
  readonly bytes: number;
}

/** A request with its path sent exactly as written: fetch would resolve `..` before sending. */
function raw(
  port: number,
  path: string,
  method = "GET",
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http1Request({ host: "127.0.0.1", port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const bytes = Buffer.concat(chunks);
        const body = (res.headers["content-encoding"] === "gzip" ? gunzipSync(bytes) : bytes).toString(
          "utf8",
        );
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, bytes: bytes.length });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the web console's files, served on the API's port", () => {
  const INDEX = "<!doctype html><title>console index</title>";
  const SCRIPT = "console.log('app');";
  const SECRET = "secret beside the console, never served";
  let root: string;
  let server: ApiServer;

  before(async () => {
    // A console build in a folder with a file beside it that no URL may reach.
    const base = mkdtempSync(join(tmpdir(), "stackwright-console-"));
    writeFileSync(join(base, "secret.txt"), SECRET);
    root = join(base, "console");
    mkdirSync(join(root, "assets"), { recursive: true });
    writeFileSync(join(root, "index.html"), INDEX);
    writeFileSync(join(root, "favicon.svg"), "<svg/>");
    writeFileSync(join(root, "assets", "index-abc123.js"), SCRIPT);
    writeFileSync(join(root, "assets", "index-abc123.css"), "body{}");
    server = await startApiServer({ service: new FakeJobService(), token: TOKEN, consoleDir: root });
  });
  after(async () => server?.close());

  it("serves the app at / and at every page under /infrastructure, without a token", async () => {
    for (const path of [
      "/",
      "/infrastructure",
      "/infrastructure/templates",
      "/infrastructure/stacks/x?y=1",
    ]) {
      const answer = await raw(server.port, path);
      assert.equal(answer.status, 200, path);
      assert.equal(answer.body, INDEX, path);
      assert.equal(answer.headers["content-type"], "text/html; charset=utf-8", path);
      assert.equal(answer.headers["cache-control"], "no-cache", path);
      assert.match(String(answer.headers["content-security-policy"]), /default-src 'self'/, path);
      assert.match(String(answer.headers["content-security-policy"]), /script-src 'self';/, path);
      assert.equal(answer.headers["x-content-type-options"], "nosniff", path);
    }
  });

  it("serves the hashed assets with their content types, cached for good", async () => {
    const script = await raw(server.port, "/assets/index-abc123.js");
    assert.equal(script.status, 200);
    assert.equal(script.body, SCRIPT);
    assert.equal(script.headers["content-type"], "text/javascript; charset=utf-8");
    assert.equal(script.headers["cache-control"], "public, max-age=31536000, immutable");
    const style = await raw(server.port, "/assets/index-abc123.css");
    assert.equal(style.headers["content-type"], "text/css; charset=utf-8");
    const icon = await raw(server.port, "/favicon.svg");
    assert.equal(icon.headers["content-type"], "image/svg+xml");
    assert.equal(icon.headers["cache-control"], "no-cache");
  });

  it("answers HEAD with the headers alone, and a missing asset with 404 rather than the app", async () => {
    const head = await raw(server.port, "/assets/index-abc123.js", "HEAD");
    assert.equal(head.status, 200);
    assert.equal(head.headers["content-length"], String(Buffer.byteLength(SCRIPT)));
    assert.equal(head.body, "");
    const missing = await raw(server.port, "/assets/index-gone.js");
    assert.equal(missing.status, 404);
    assert.doesNotMatch(missing.body, /console index/);
  });

  it("sends text gzipped to a browser that takes it, and as it is to one that does not", async () => {
    const script = `export const words = '${"console ".repeat(500)}';`;
    writeFileSync(join(root, "assets", "big-abc123.js"), script);
    const gzipped = await raw(server.port, "/assets/big-abc123.js", "GET", { "accept-encoding": "gzip, br" });
    assert.equal(gzipped.headers["content-encoding"], "gzip");
    assert.equal(gzipped.headers.vary, "accept-encoding");
    assert.equal(gzipped.body, script);
    assert.ok(gzipped.bytes < script.length / 10, `${gzipped.bytes} bytes gzipped`);
    const refusals: Record<string, string>[] = [
      {},
      { "accept-encoding": "gzip;q=0, identity" },
      { "accept-encoding": "br" },
    ];
    for (const refusal of refusals) {
      const plain = await raw(server.port, "/assets/big-abc123.js", "GET", refusal);
      assert.equal(plain.headers["content-encoding"], undefined, JSON.stringify(refusal));
      assert.equal(plain.bytes, script.length);
    }
    const page = await raw(server.port, "/infrastructure/stacks", "GET", { "accept-encoding": "*" });
    assert.equal(page.headers["content-encoding"], "gzip");
    assert.equal(page.body, INDEX);
    // An image is compressed already: it goes as it is.
    writeFileSync(join(root, "logo.png"), Buffer.alloc(2048));
    const image = await raw(server.port, "/logo.png", "GET", { "accept-encoding": "gzip" });
    assert.equal(image.headers["content-type"], "image/png");
    assert.equal(image.headers["content-encoding"], undefined);
    assert.equal(image.bytes, 2048);
  });

  it("lets no path escape the console's folder", async () => {
    const tricks = [
      "/assets/../../secret.txt",
      "/assets/%2e%2e/%2e%2e/secret.txt",
      "/assets/..%2f..%2fsecret.txt",
      "/assets/%2E%2E%2F%2E%2E%2Fsecret.txt",
      "/assets/..%5c..%5csecret.txt",
      "/assets/%252e%252e/secret.txt",
      "/assets/%00/../secret.txt",
      "/assets/%zz",
      "/../secret.txt",
      "/..%2fsecret.txt",
      "/infrastructure/../../secret.txt",
      "/infrastructure/..%2f..%2fsecret.txt",
    ];
    for (const path of tricks) {
      const answer = await raw(server.port, path);
      assert.ok(!answer.body.includes(SECRET), `${path} reached the file outside: ${answer.status}`);
      assert.ok(answer.status === 404 || answer.body === INDEX, `${path}: ${answer.status} ${answer.body}`);
    }
  });

  it("leaves every API call to the API, as before: tokens checked, gRPC and Connect alike", async () => {
    for (const transport of TRANSPORTS) {
      const client = createJobsClient({ baseUrl: server.url, token: TOKEN, transport });
      const { update } = await client.deployCloudResource({ stack: "acme/app/ok", operation: Operation.UP });
      assert.ok(update?.id, transport);
    }
    const refused = await postJson(server.url, "ListStackUpdates", "{}", null);
    assert.equal(refused.status, 401);
    // A POST to a page is not the console's: the API answers it, as it did before.
    assert.equal((await raw(server.port, "/infrastructure/templates", "POST")).status, 404);
    assert.notEqual((await raw(server.port, "/stackwright.jobs.v1.StackJobs/ListStackUpdates")).body, INDEX);
  });

  it("serves the console over HTTP/2 on the same port", async () => {
    const session = http2Connect(server.url);
    try {
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const stream = session.request({ ":path": "/infrastructure/templates" });
        let status = 0;
        let body = "";
        stream.on("response", (headers) => {
          status = Number(headers[":status"]);
        });
        stream.setEncoding("utf8");
        stream.on("data", (chunk: string) => {
          body += chunk;
        });
        stream.on("end", () => resolve({ status, body }));
        stream.on("error", reject);
      });
      assert.equal(status, 200);
      assert.equal(body, INDEX);
    } finally {
      session.close();
    }
  });
});

describe("the console a service serves by default", () => {
  it("is the package's own build, dist/console", async () => {
    const server = await startApiServer({ service: new FakeJobService(), token: TOKEN });
    try {
      const answer = await raw(server.port, "/infrastructure/templates");
      assert.equal(answer.status, 200);
      assert.equal(answer.body, readFileSync(join(REPO_ROOT, "dist", "console", "index.html"), "utf8"));
    } finally {
      await server.close();
    }
  });

  it("is not served when turned off: the API alone answers", async () => {
    const server = await startApiServer({ service: new FakeJobService(), token: TOKEN, consoleDir: false });
    try {
      assert.equal((await raw(server.port, "/")).status, 404);
    } finally {
      await server.close();
    }
  });
});
