import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * The dev server's pidfile in its state directory: which process serves the database there, and
 * which process started it. A `stackwright serve` killed with SIGKILL cannot stop its dev server;
 * the next start finds the server through this file and stops it before starting its own on the
 * same database (two servers on one SQLite file would corrupt it).
 */
export interface ServerRecord {
  /** The dev server's process. */
  readonly pid: number;
  /** The process that started it and stops it. */
  readonly owner: number;
}

const STOP_GRACE_MS = 10_000;
const KILL_WAIT_MS = 5_000;

export function writeServerRecord(pidFile: string, record: ServerRecord): void {
  // Written whole or not at all: a start killed half-way leaves no half-written file.
  writeFileSync(`${pidFile}.tmp`, `${JSON.stringify(record)}\n`);
  renameSync(`${pidFile}.tmp`, pidFile);
}

/** Removes the record, if it still names `pid` (a later start may have replaced it). */
export function removeServerRecord(pidFile: string, pid: number): void {
  if (readServerRecord(pidFile)?.pid === pid) rmSync(pidFile, { force: true });
}

/**
 * Stops the dev server a killed `serve` left running on `dbFile`, if any, and removes its record.
 * A process is that server only if its command line still names `start-dev` on this database: a
 * pid the system has since given to another program is left alone. A server whose starter is
 * still its parent belongs to a live service, and is never stopped: that is an error.
 */
export async function stopStaleServer(pidFile: string, dbFile: string, stateDir: string): Promise<void> {
  const record = readServerRecord(pidFile);
  if (record === undefined) return;
  if (servesDatabase(record.pid, dbFile)) {
    if (parentOf(record.pid) === record.owner)
      throw new Error(
        `the embedded Temporal server in ${stateDir} is in use by process ${record.owner} (another stackwright serve on the same data directory?)`,
      );
    await stopProcess(record.pid);
  }
  rmSync(pidFile, { force: true });
}

function readServerRecord(pidFile: string): ServerRecord | undefined {
  try {
    const record: unknown = JSON.parse(readFileSync(pidFile, "utf8"));
    if (
      typeof record === "object" &&
      record !== null &&
      "pid" in record &&
      "owner" in record &&
      Number.isInteger(record.pid) &&
      Number.isInteger(record.owner)
    )
      return { pid: record.pid as number, owner: record.owner as number };
  } catch {
    // Missing or unreadable: no server to stop.
  }
  return undefined;
}

/** Whether `pid` runs `… server start-dev … --db-filename <dbFile> …` (from /proc/<pid>/cmdline). */
function servesDatabase(pid: number, dbFile: string): boolean {
  let args: string[];
  try {
    args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return false;
  }
  const db = args.indexOf("--db-filename");
  return args.includes("start-dev") && db >= 0 && args[db + 1] === dbFile && isRunning(pid);
}

/** The parent process id, from /proc/<pid>/stat (after the command name, which may hold spaces). */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const [, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(ppid);
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie: an orphan that exited may wait a while for its new parent to reap it. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function stopProcess(pid: number): Promise<void> {
  for (const [signal, waitMs] of [
    ["SIGTERM", STOP_GRACE_MS],
    ["SIGKILL", KILL_WAIT_MS],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return; // Already gone.
    }
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      if (!isRunning(pid)) return;
      await sleep(50);
    }
  }
  throw new Error(`could not stop the earlier Temporal dev server (pid ${pid})`);
}
