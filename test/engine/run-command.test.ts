import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runCommand } from "../support/isolated-engine";

/** runCommand, which runs every engine command and script of the tests. */
describe("runCommand", () => {
  it("answers with the exit code of a command that exits without reading its input", async () => {
    // Regression: writing the input to a closed pipe raised EPIPE as an unhandled error, which
    // ended the whole test file (seen with set-secrets.sh refusing its arguments).
    const result = await runCommand("sh", ["-c", "exit 3"], {
      cwd: process.cwd(),
      env: process.env,
      input: "x".repeat(8 * 1024 * 1024),
    });
    assert.equal(result.code, 3);
  });

  it("passes its input on standard input and collects both outputs", async () => {
    const result = await runCommand("sh", ["-c", "cat; echo done >&2"], {
      cwd: process.cwd(),
      env: process.env,
      input: "secret-by-stdin",
    });
    assert.deepEqual(result, { code: 0, stdout: "secret-by-stdin", stderr: "done\n" });
  });
});
