import { readdirSync, readFileSync } from "node:fs";

/**
 * Every process a job starts — the CLI, its language host, its provider plugins — carries the
 * job's id in its environment. The engine puts each plugin in a process group of its own, and a
 * dead service's engine processes are re-parented away from it, so neither the process tree nor
 * one process group reaches them all; the environment marker does (on Linux, through /proc).
 */
export const JOB_ID_ENV = "STACKWRIGHT_JOB_ID";

/** SIGKILLs every process of this machine that belongs to job `jobId`; returns how many. */
export function killJobProcesses(jobId: string): number {
  let killed = 0;
  for (const pid of jobProcesses(jobId)) {
    try {
      process.kill(pid, "SIGKILL");
      killed++;
    } catch {
      // Gone meanwhile.
    }
  }
  return killed;
}

/** The pids of this machine's processes that belong to job `jobId`. */
export function jobProcesses(jobId: string): number[] {
  const marker = Buffer.from(`${JOB_ID_ENV}=${jobId}\0`);
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  return pids.map(Number).filter((pid) => {
    if (pid === process.pid) return false;
    try {
      return hasEntry(readFileSync(`/proc/${pid}/environ`), marker);
    } catch {
      return false;
    }
  });
}

function hasEntry(environ: Buffer, entry: Buffer): boolean {
  for (let at = environ.indexOf(entry); at !== -1; at = environ.indexOf(entry, at + 1))
    if (at === 0 || environ[at - 1] === 0) return true;
  return false;
}
