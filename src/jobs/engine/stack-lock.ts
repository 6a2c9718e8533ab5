import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type PulumiCommand, StackNotFoundError } from "@pulumi/pulumi/automation";
import type { StackConfig } from "../config/service-config";
import type { EngineProcesses } from "./engine-process";

/**
 * Clears the lock a stopped or dead engine left on a stack, so the next job can run. `pulumi
 * cancel` does it on every backend: Pulumi Cloud cancels the update, and the DIY backends (file,
 * s3, gs, azblob, postgres) delete the stack's lock files. It needs a project, but not the
 * workload's: a throwaway Pulumi.yaml naming the stack's project is enough, made in the job's
 * scratch directory `scratchDir`.
 */
export async function clearStackLock(
  stack: StackConfig,
  env: NodeJS.ProcessEnv,
  cli: PulumiCommand,
  processes: EngineProcesses,
  scratchDir: string,
): Promise<void> {
  const dir = mkdtempSync(join(scratchDir, "unlock-"));
  try {
    writeFileSync(join(dir, "Pulumi.yaml"), `name: ${stack.project}\nruntime: yaml\n`);
    await processes.run(
      cli.command,
      ["cancel", "--yes", "--stack", stack.name, "--non-interactive"],
      dir,
      env,
      {},
    );
  } catch (error) {
    // A stack that was never created has no lock to clear.
    if (!(error instanceof StackNotFoundError)) throw error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
