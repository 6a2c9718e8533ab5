import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand } from "./isolated-engine";
import { REPO_ROOT } from "./paths";

/** A binary the bootstrap built, by the variable ./dev.sh sets; fails, never skips, when it is not there. */
export function builtBinary(variable: string): string {
  const bin = process.env[variable];
  assert.ok(bin && existsSync(bin), `${variable} is not set: run the tests through ./dev.sh`);
  return bin;
}

/** Stops a server process: SIGTERM, then SIGKILL after 20 s; resolves with its exit code. */
export function stopProcess(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill("SIGTERM");
  });
}

/**
 * Runs a part's build function with no module proxy and an empty module cache, so it fails at
 * once, and checks the failure: one error naming `step`, and nothing left in the cache.
 * `build(target)` is the shell call (after sourcing the bootstrap and the part's script).
 */
export async function assertOfflineBuildFails(
  script: string,
  build: (target: string) => string,
  targetName: string,
  step: RegExp,
): Promise<void> {
  const cache = await mkdtemp(join(tmpdir(), "stackwright-cache-"));
  const gomodcache = await mkdtemp(join(tmpdir(), "stackwright-gomodcache-"));
  const target = join(cache, targetName);
  try {
    const result = await runCommand(
      "bash",
      ["-c", `source scripts/bootstrap.sh && source ${script} && ${build(target)}`],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          STACKWRIGHT_CACHE: cache,
          GOPROXY: "off",
          GOMODCACHE: gomodcache,
          GOFLAGS: "-modcacherw",
        },
        input: undefined,
      },
    );
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, step);
    assert.equal(result.stderr.match(/bootstrap: error:/g)?.length, 1, result.stderr);
    assert.ok(!existsSync(target), "a cache was left");
    assert.deepEqual(await readdir(cache), [], "a half-built directory was left");
  } finally {
    await rm(cache, { recursive: true, force: true });
    await rm(gomodcache, { recursive: true, force: true });
  }
}
