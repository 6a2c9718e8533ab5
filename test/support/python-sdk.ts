import { execFile } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { pythonInterpreter, REPO_ROOT } from "./paths";

const run = promisify(execFile);

/**
 * Installs sdk/python into a fresh directory (no dependencies: the bootstrap's virtualenv has
 * pulumi) and returns it, for PYTHONPATH. pip builds inside the source tree (build/, *.egg-info),
 * so it builds a copy and sdk/ stays as generated.
 */
export async function installPythonSdk(): Promise<string> {
  const target = mkdtempSync(join(tmpdir(), "stackwright-sdk-python-"));
  const source = join(mkdtempSync(join(tmpdir(), "stackwright-sdk-src-")), "python");
  cpSync(join(REPO_ROOT, "sdk", "python"), source, { recursive: true });
  await run(pythonInterpreter(), [
    "-m",
    "pip",
    "install",
    "--quiet",
    "--disable-pip-version-check",
    "--no-deps",
    "--no-build-isolation",
    "--target",
    target,
    source,
  ]);
  return target;
}
