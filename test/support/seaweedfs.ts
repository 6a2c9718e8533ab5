import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { AwsClient } from "aws4fetch";
import { weedMiniArguments } from "../../src/jobs/state-store/embedded-seaweedfs";
import { builtBinary, stopProcess } from "./built-parts";
import { freePorts } from "./free-ports";

export interface S3Key {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** A SeaweedFS the test started: an S3 store "of the operator's", with an admin identity. */
export interface SeaweedfsServer {
  readonly endpoint: string;
  readonly admin: S3Key;
  /** The S3 API as `key` signs it. */
  s3(key: S3Key): (path: string, init?: RequestInit) => Promise<Response>;
  stop(): Promise<void>;
}

/**
 * `weed mini` (the bootstrap's, $STACKWRIGHT_WEED_BIN: a missing one fails the test) on free ports
 * of 127.0.0.1 with telemetry off, its data in a temporary directory, the IAM API writable, and
 * `admin` its admin identity, given in its environment.
 */
export async function startSeaweedfs(admin: S3Key): Promise<SeaweedfsServer> {
  const bin = builtBinary("STACKWRIGHT_WEED_BIN");
  const dir = await mkdtemp(join(tmpdir(), "stackwright-weed-"));
  const [master, volume, filer, s3] = (await freePorts(4)) as [number, number, number, number];
  const server: ChildProcess = spawn(bin, weedMiniArguments(dir, { master, volume, filer, s3 }), {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ACCESS_KEY_ID: admin.accessKeyId,
      AWS_SECRET_ACCESS_KEY: admin.secretAccessKey,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  server.stdout?.setEncoding("utf8").on("data", (d: string) => {
    output += d;
  });
  server.stderr?.setEncoding("utf8").on("data", (d: string) => {
    output += d;
  });
  const endpoint = `http://127.0.0.1:${s3}`;
  const s3As =
    (key: S3Key) =>
    (path: string, init?: RequestInit): Promise<Response> =>
      new AwsClient({ ...key, service: "s3", region: "us-east-1" }).fetch(`${endpoint}${path}`, init);
  const stop = async () => {
    await stopProcess(server);
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      if ((await s3As(admin)("/")).ok) break;
    } catch {
      // Not listening yet.
    }
    if (server.exitCode !== null || Date.now() > deadline) {
      await stop();
      assert.fail(`SeaweedFS did not answer on ${endpoint}:\n${output.slice(-2000)}`);
    }
    await sleep(250);
  }
  return { endpoint, admin, s3: s3As, stop };
}

/** The object keys of `bucket` (a ListObjectsV2 of its first 1,000), or the refusal's status and code. */
export async function listBucket(
  s3: (path: string, init?: RequestInit) => Promise<Response>,
  bucket: string,
): Promise<{ status: number; keys: string[]; code?: string }> {
  const response = await s3(`/${bucket}?list-type=2`);
  const text = await response.text();
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  return {
    status: response.status,
    keys: [...text.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1] as string),
    ...(code !== undefined && { code }),
  };
}
