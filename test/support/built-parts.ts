import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";

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
