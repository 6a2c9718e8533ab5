import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { assertOfflineBuildFails, builtBinary, stopProcess } from "../support/built-parts";
import { freePort } from "../support/free-ports";
import { runCommand } from "../support/isolated-engine";
import { REPO_ROOT } from "../support/paths";

const pins = JSON.parse(readFileSync(join(REPO_ROOT, "versions.json"), "utf8"));

const temporalBin = () => builtBinary("STACKWRIGHT_TEMPORAL_BIN");

/**
 * The bootstrap's Temporal part: the CLI it builds is the pinned version and its dev server
 * answers; a failed build names the step and leaves no cache a later run would trust.
 */
describe("scripts/build-temporal.sh", () => {
  it("the built CLI runs and reports the pinned version", async () => {
    const bin = temporalBin();
    assert.ok(bin.endsWith(`/temporal-${pins.temporal}/bin/temporal`), bin);
    const result = await runCommand(bin, ["--version"], {
      cwd: REPO_ROOT,
      env: process.env,
      input: undefined,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      new RegExp(`^temporal version ${pins.temporal.replace(/\./g, "\\.")} \\(Server `),
    );
  });

  it("names a failed build step and caches nothing", async () => {
    // An empty module cache and no proxy: the build cannot find a module and fails at once.
    await assertOfflineBuildFails(
      "scripts/build-temporal.sh",
      (target) => `sw_build_temporal ${target} ${pins.temporal}`,
      `temporal-${pins.temporal}`,
      new RegExp(
        `^bootstrap: error: step 'build temporal CLI v${pins.temporal.replace(/\./g, "\\.")}' failed`,
        "m",
      ),
    );
  });

  it("temporal server start-dev answers on its port on 127.0.0.1, then stops", async () => {
    const bin = temporalBin();
    const dir = await mkdtemp(join(tmpdir(), "stackwright-temporal-"));
    const port = await freePort();
    const server = spawn(
      bin,
      [
        "server",
        "start-dev",
        "--headless",
        "--ip",
        "127.0.0.1",
        "--port",
        String(port),
        "--db-filename",
        join(dir, "t.db"),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    server.stdout?.setEncoding("utf8").on("data", (d: string) => {
      output += d;
    });
    server.stderr?.setEncoding("utf8").on("data", (d: string) => {
      output += d;
    });
    try {
      let health = "";
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline && server.exitCode === null) {
        const result = await runCommand(
          bin,
          ["operator", "cluster", "health", "--address", `127.0.0.1:${port}`],
          {
            cwd: dir,
            env: process.env,
            input: undefined,
          },
        );
        health = result.stdout;
        if (result.code === 0 && /SERVING/.test(health)) break;
        await sleep(500);
      }
      assert.match(
        health,
        /SERVING/,
        `the dev server did not answer on 127.0.0.1:${port}:\n${output.slice(-2000)}`,
      );
      assert.ok(existsSync(join(dir, "t.db")), "no database file");
    } finally {
      await stopProcess(server);
      await rm(dir, { recursive: true, force: true });
    }
    assert.ok(server.exitCode !== null || server.signalCode !== null, "the dev server did not stop");
  });
});
