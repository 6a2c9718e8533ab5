import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { weedMiniArguments } from "../../src/jobs/state-store/embedded-seaweedfs";
import { assertOfflineBuildFails, builtBinary, stopProcess } from "../support/built-parts";
import { freePorts } from "../support/free-ports";
import { runCommand } from "../support/isolated-engine";
import { REPO_ROOT } from "../support/paths";

const pins = JSON.parse(readFileSync(join(REPO_ROOT, "versions.json"), "utf8"));
const commit = String(pins.seaweedfsModule).split("-").pop() as string;

const weedBin = () => builtBinary("STACKWRIGHT_WEED_BIN");

/**
 * The bootstrap's SeaweedFS part: the `weed` it builds is the pinned version and commit and serves
 * S3; a failed build names the step and leaves no cache a later run would trust.
 */
describe("scripts/build-seaweedfs.sh", () => {
  it("the built weed runs and reports the pinned version and commit", async () => {
    const bin = weedBin();
    assert.ok(bin.endsWith(`/seaweedfs-${pins.seaweedfs}-${commit}/bin/weed`), bin);
    const result = await runCommand(bin, ["version"], { cwd: REPO_ROOT, env: process.env, input: undefined });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      new RegExp(`^version \\S+ ${pins.seaweedfs.replace(/\./g, "\\.")} ${commit} linux `),
    );
  });

  it("names a failed build step and caches nothing", async () => {
    // An empty module cache and no proxy: the build cannot find a module and fails at once.
    await assertOfflineBuildFails(
      "scripts/build-seaweedfs.sh",
      (target) => `sw_build_seaweedfs ${target} ${pins.seaweedfs} ${pins.seaweedfsModule}`,
      `seaweedfs-${pins.seaweedfs}-${commit}`,
      new RegExp(
        `^bootstrap: error: step 'build weed ${pins.seaweedfs.replace(/\./g, "\\.")} \\(${commit}\\)' failed`,
        "m",
      ),
    );
  });

  it("weed mini serves S3 on 127.0.0.1 with telemetry off, then stops", async () => {
    const bin = weedBin();
    const dir = await mkdtemp(join(tmpdir(), "stackwright-weed-"));
    const [master, volume, filer, s3] = (await freePorts(4)) as [number, number, number, number];
    const env = { ...process.env };
    for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "S3_BUCKET", "S3_TABLE_BUCKET"])
      delete env[name];
    const server = spawn(bin, weedMiniArguments(dir, { master, volume, filer, s3 }), {
      cwd: dir,
      env,
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
    try {
      let listing = "";
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline && server.exitCode === null) {
        try {
          const response = await fetch(`${endpoint}/`);
          listing = await response.text();
          if (response.ok && /<ListAllMyBucketsResult/.test(listing)) break;
        } catch {
          // not listening yet
        }
        await sleep(500);
      }
      assert.match(
        listing,
        /<ListAllMyBucketsResult/,
        `S3 did not answer on ${endpoint}:\n${output.slice(-2000)}`,
      );
      // A bucket, an object in it and the object back: what a Pulumi state backend does.
      let created: Response | undefined;
      for (let attempt = 0; attempt < 60; attempt++) {
        created = await fetch(`${endpoint}/stackwright-state`, { method: "PUT" });
        if (created.ok) break;
        await sleep(500);
      }
      assert.equal(created?.status, 200, await created?.text());
      const put = await fetch(`${endpoint}/stackwright-state/.pulumi/meta.yaml`, {
        method: "PUT",
        body: "version: 1\n",
      });
      assert.equal(put.status, 200, await put.text());
      const got = await fetch(`${endpoint}/stackwright-state/.pulumi/meta.yaml`);
      assert.equal(got.status, 200);
      assert.equal(await got.text(), "version: 1\n");
    } finally {
      await stopProcess(server);
      await rm(dir, { recursive: true, force: true });
    }
    assert.ok(server.exitCode !== null || server.signalCode !== null, "weed did not stop");
  });
});
