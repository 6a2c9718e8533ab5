import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { DEV_SERVER_FILES, startTemporalDevServer } from "../../../src/jobs/temporal/dev-server";
import { isRunning } from "../../../src/jobs/temporal/server-pidfile";
import { temporalTestBinary } from "../../support/temporal";
import { runGreeting, withClient } from "./fixtures/run-greeting";

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "stackwright-temporal-test-"));
  dirs.push(dir);
  return dir;
}

/** The pid the pidfile names, while a server runs. */
const recordedPid = (dir: string): number =>
  JSON.parse(readFileSync(join(dir, DEV_SERVER_FILES.pidFile), "utf8")).pid;

/** A stand-in for the Temporal CLI: a shell script. */
function fakeBinary(dir: string, script: string): string {
  const path = join(dir, "fake-temporal");
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe("the embedded Temporal dev server", () => {
  it("starts on 127.0.0.1, runs a workflow end to end, and stops leaving no process", async () => {
    const dir = await stateDir();
    const started = Date.now();
    const server = await startTemporalDevServer({ binary: temporalTestBinary(), stateDir: dir });
    const pid = recordedPid(dir);
    try {
      process.stderr.write(`dev server ready in ${Date.now() - started} ms\n`);
      assert.match(server.address, /^127\.0\.0\.1:\d+$/);
      assert.equal(server.namespace, "default");
      assert.ok(isRunning(pid));
      assert.ok(existsSync(join(dir, DEV_SERVER_FILES.database)), "no database in the state directory");
      assert.ok(existsSync(join(dir, DEV_SERVER_FILES.log)), "no log in the state directory");
      const { result } = await runGreeting(server, "dev server");
      assert.equal(result, "HELLO, dev server");
    } finally {
      await server.stop();
    }
    assert.equal(isRunning(pid), false, "the server's process outlived stop()");
    assert.equal(existsSync(join(dir, DEV_SERVER_FILES.pidFile)), false, "the pidfile outlived stop()");
    await server.stop(); // Twice is harmless.
  });

  it("replaces a server that a killed service left behind, and keeps the earlier workflows", async () => {
    const dir = await stateDir();
    const binary = temporalTestBinary();
    // A service killed with SIGKILL: its server is orphaned, still running on the database.
    const service = spawn(
      process.execPath,
      [require.resolve("./fixtures/start-dev-server-child"), binary, dir],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const firstAddress = await new Promise<string>((resolve, reject) => {
      let out = "";
      service.stdout.setEncoding("utf8").on("data", (d: string) => {
        out += d;
        if (out.includes("\n")) resolve(JSON.parse(out).address);
      });
      service.once("exit", (code) => reject(new Error(`the service exited with ${code}`)));
    });
    const earlier = await runGreeting({ address: firstAddress, namespace: "default" }, "before the kill");
    const orphan = recordedPid(dir);
    service.kill("SIGKILL");
    await new Promise((resolve) => service.once("exit", resolve));
    assert.ok(isRunning(orphan), "the orphaned server is not running: nothing to replace");

    const restarted = Date.now();
    const server = await startTemporalDevServer({ binary, stateDir: dir });
    try {
      process.stderr.write(`dev server replaced an orphan and was ready in ${Date.now() - restarted} ms\n`);
      assert.equal(isRunning(orphan), false, "the orphaned server still runs");
      assert.notEqual(recordedPid(dir), orphan);
      // The earlier workflow, completed on the first server, is in the database the second serves.
      await withClient(server, async (client) => {
        const handle = client.workflow.getHandle(earlier.workflowId);
        assert.equal((await handle.describe()).status.name, "COMPLETED");
        assert.equal(await handle.result(), "HELLO, before the kill");
        const history = await handle.fetchHistory();
        assert.ok((history.events?.length ?? 0) >= 5, "the earlier workflow's history is missing");
      });
      assert.equal((await runGreeting(server, "after the restart")).result, "HELLO, after the restart");
    } finally {
      await server.stop();
    }
  });

  it("refuses a state directory whose server belongs to a live service, leaving that server alone", async () => {
    const dir = await stateDir();
    const server = await startTemporalDevServer({ binary: temporalTestBinary(), stateDir: dir });
    try {
      await assert.rejects(
        startTemporalDevServer({ binary: temporalTestBinary(), stateDir: dir }),
        new RegExp(`embedded Temporal server in ${dir} is in use by process ${process.pid}`),
      );
      assert.ok(isRunning(recordedPid(dir)));
      await withClient(server, (client) => client.workflowService.getSystemInfo({}));
    } finally {
      await server.stop();
    }
  });

  it("creates the namespace it is given", async () => {
    const dir = await stateDir();
    const server = await startTemporalDevServer({
      binary: temporalTestBinary(),
      stateDir: dir,
      namespace: "stackwright-test",
    });
    try {
      assert.equal(server.namespace, "stackwright-test");
      assert.equal((await runGreeting(server, "namespaced")).result, "HELLO, namespaced");
    } finally {
      await server.stop();
    }
  });

  it("fails with the log's tail when the server exits before it is ready", async () => {
    const dir = await stateDir();
    const binary = fakeBinary(dir, 'echo "Error: unable to open the database: disk on fire" >&2\nexit 3');
    await assert.rejects(startTemporalDevServer({ binary, stateDir: dir }), (error: Error) => {
      assert.match(error.message, /the Temporal dev server exited with code 3 before it was ready/);
      assert.match(error.message, /server\.log:\nError: unable to open the database: disk on fire/);
      return true;
    });
    assert.equal(existsSync(join(dir, DEV_SERVER_FILES.pidFile)), false);
  });

  it("starts again on another port when a port it was to use was taken, though the log's tail is all goroutine trace", async () => {
    const dir = await stateDir();
    const taken = join(dir, "taken-once");
    const binary = fakeBinary(
      dir,
      [
        `if [ ! -e "${taken}" ]; then`,
        `  touch "${taken}"`,
        '  echo "panic: failed assigning ephemeral port: listen tcp 127.0.0.1:0: bind: address already in use" >&2',
        '  for i in $(seq 1 40); do echo "\tgithub.com/temporalio/cli/frame.go:$i +0x31" >&2; done',
        "  exit 2",
        "fi",
        `exec "${temporalTestBinary()}" "$@"`,
      ].join("\n"),
    );
    const server = await startTemporalDevServer({ binary, stateDir: dir });
    try {
      assert.equal(existsSync(taken), true, "the first start was not the failing one");
      await withClient(server, async () => undefined);
    } finally {
      await server.stop();
    }
  });

  it("fails with the log's tail, and stops the process, when the server does not answer in time", async () => {
    const dir = await stateDir();
    const binary = fakeBinary(dir, 'echo "starting, slowly"\nexec sleep 120');
    let pid = 0;
    const watch = setInterval(() => {
      if (existsSync(join(dir, DEV_SERVER_FILES.pidFile))) pid = recordedPid(dir);
    }, 20);
    try {
      await assert.rejects(
        startTemporalDevServer({ binary, stateDir: dir, readyTimeoutMs: 1_000 }),
        /the Temporal dev server did not answer on 127\.0\.0\.1:\d+ within 1 s; the end of .*server\.log:\nstarting, slowly/,
      );
    } finally {
      clearInterval(watch);
    }
    assert.ok(pid > 0, "the server never started");
    await sleep(100);
    assert.equal(isRunning(pid), false, "the server that did not answer still runs");
  });

  it("fails at once, naming the binary, when it cannot be run", async () => {
    const dir = await stateDir();
    const binary = join(dir, "no-such-temporal");
    await assert.rejects(
      startTemporalDevServer({ binary, stateDir: dir }),
      new RegExp(`could not start the Temporal dev server ${binary}: spawn ${binary} ENOENT`),
    );
  });
});
