import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

/**
 * Everything the service and the engine write for one job and nothing after it — event logs,
 * the throwaway project `pulumi cancel` needs, the engine's own temporary files (its TMPDIR) —
 * lives in the job's scratch directory, under the data directory rather than the machine's
 * temporary directory: a SIGKILLed service cannot clean up after itself, and what it left there
 * is found again, by job, when its jobs are recovered.
 */
export function jobScratchDir(dataDir: string, jobId: string): string {
  const dir = join(scratchRoot(dataDir), jobId);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

export function removeJobScratch(dataDir: string, jobId: string): void {
  rmSync(join(scratchRoot(dataDir), jobId), { recursive: true, force: true });
}

/**
 * Removes the scratch directories of jobs that are not running (those of a process that died
 * while its jobs' leases were taken over elsewhere). A directory is made only once its job runs,
 * so one whose job is not running now is nobody's.
 */
export async function sweepJobScratch(
  dataDir: string,
  isRunning: (jobId: string) => Promise<boolean>,
): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(scratchRoot(dataDir));
  } catch {
    return;
  }
  for (const name of names) if (!(await isRunning(name))) removeJobScratch(dataDir, name);
}

function scratchRoot(dataDir: string): string {
  return join(dataDir, "runs");
}
