import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import type { StackConfig } from "./service-config";

/**
 * Clears the lock a stopped or dead engine left on a stack, so the next job can run. `pulumi
 * cancel` does it on every backend: Pulumi Cloud cancels the update, and the DIY backends (file,
 * s3, gs, azblob, postgres) delete the stack's lock files. It needs a project, but not the
 * workload's: a throwaway Pulumi.yaml naming the stack's project is enough.
 */
export async function clearStackLock(
  stack: StackConfig,
  env: NodeJS.ProcessEnv,
  cli: PulumiCommand,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "stackwright-unlock-"));
  try {
    writeFileSync(join(dir, "Pulumi.yaml"), `name: ${stack.project}\nruntime: yaml\n`);
    await new Promise<void>((resolve, reject) => {
      const child = spawn(cli.command, ["cancel", "--yes", "--stack", stack.name, "--non-interactive"], {
        cwd: dir,
        env,
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (d: string) => {
        stderr += d;
      });
      child.on("error", reject);
      child.on("close", (code) =>
        code === 0 || /no stack named/.test(stderr)
          ? resolve()
          : reject(new Error(stderr.trim().split("\n").pop() ?? `pulumi cancel exited with ${code}`)),
      );
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
