import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Connection } from "@temporalio/client";
import { removeServerRecord, stopStaleServer, writeServerRecord } from "./server-pidfile";

/**
 * A Temporal dev server this process started; `stop()` stops it (safe to call twice). It is a
 * TemporalEndpoint (endpoint.ts, which imports this module: its fields are written out here).
 */
export interface TemporalDevServer {
  /** host:port: the port is free when the server starts, so it may differ from one start to the next. */
  readonly address: string;
  readonly namespace: string;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  /** The Temporal CLI (`temporal`), whose `server start-dev` is the server. */
  readonly binary: string;
  /** Holds the SQLite database (kept across restarts), the log and the pidfile. */
  readonly stateDir: string;
  /** The IP the server listens on; default 127.0.0.1. */
  readonly host?: string;
  /** Created at start, beside `default`; default "default". */
  readonly namespace?: string;
  /** How long the server may take to answer; default 60 s. */
  readonly readyTimeoutMs?: number;
}

export const DEV_SERVER_FILES = { database: "temporal.db", log: "server.log", pidFile: "server.pid" };

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
const LOG_TAIL_LINES = 20;
/** Another process may take the free port before the server binds it: then a new port, this often. */
const PORT_ATTEMPTS = 3;

/**
 * Starts `temporal server start-dev` on a free port, its database, log and pidfile in `stateDir`:
 * workflows survive a restart on the same directory. Ready when a client can describe the
 * namespace. A server an earlier, killed process left on the same database is stopped first.
 * Fails with the log's tail when the server exits or does not answer in time.
 */
export async function startTemporalDevServer(options: DevServerOptions): Promise<TemporalDevServer> {
  const host = options.host ?? "127.0.0.1";
  const namespace = options.namespace ?? "default";
  const files = {
    database: join(options.stateDir, DEV_SERVER_FILES.database),
    log: join(options.stateDir, DEV_SERVER_FILES.log),
    pidFile: join(options.stateDir, DEV_SERVER_FILES.pidFile),
  };
  mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
  await stopStaleServer(files.pidFile, files.database, options.stateDir);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort(host);
    const address = `${host}:${port}`;
    const child = launch(
      options.binary,
      [
        "server",
        "start-dev",
        "--headless",
        "--ip",
        host,
        "--port",
        String(port),
        "--db-filename",
        files.database,
        "--log-level",
        "warn",
        // `default` is always created; another namespace only when asked for.
        ...(namespace === "default" ? [] : ["--namespace", namespace]),
      ],
      files.log,
    );
    if (child.pid === undefined) throw await spawnFailure(child, options.binary);
    writeServerRecord(files.pidFile, { pid: child.pid, owner: process.pid });
    const stop = stopper(child, files.pidFile);
    try {
      await waitReady(child, address, namespace, options.readyTimeoutMs ?? READY_TIMEOUT_MS, files.log);
      return { address, namespace, stop };
    } catch (error) {
      await stop();
      if (attempt < PORT_ATTEMPTS && portTaken(files.log)) continue;
      throw error;
    }
  }
}

/**
 * The server, in the service's process group: a signal to the group (Ctrl-C, a supervisor, a test
 * run cut short) stops it too. Only the service killed alone leaves it behind, for the pidfile.
 */
function launch(binary: string, args: string[], logFile: string): ChildProcess {
  // The previous run's log is kept beside this one's: the reason a server died is often in it.
  if (existsSync(logFile)) renameSync(logFile, `${logFile}.1`);
  const log = openSync(logFile, "a", 0o600);
  try {
    const child = spawn(binary, args, { stdio: ["ignore", log, log] });
    // The server never keeps the service's process alive by itself; at its exit it is killed.
    child.unref();
    return child;
  } finally {
    closeSync(log);
  }
}

function stopper(child: ChildProcess, pidFile: string): () => Promise<void> {
  // A service that exits without stopping its server (an uncaught error) still stops it.
  const onExit = () => child.kill("SIGKILL");
  process.once("exit", onExit);
  let stopped: Promise<void> | undefined;
  return () => {
    stopped ??= (async () => {
      await stopChild(child);
      process.removeListener("exit", onExit);
      if (child.pid !== undefined) removeServerRecord(pidFile, child.pid);
    })();
    return stopped;
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
    const kill = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

async function waitReady(
  child: ChildProcess,
  address: string,
  namespace: string,
  timeoutMs: number,
  logFile: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // A server that exits is reported at once, not after the connection attempt under way.
  const exited = new Promise<false>((resolve) => child.once("exit", () => resolve(false)));
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  while (Date.now() < deadline && !hasExited()) {
    const attempt = answers(address, namespace, Math.min(2_000, Math.max(deadline - Date.now(), 1)));
    if (await Promise.race([attempt, exited])) return;
    if (!hasExited()) await sleep(100);
  }
  if (hasExited()) throw exitError(child, logFile);
  throw new Error(
    `the Temporal dev server did not answer on ${address} within ${Math.round(timeoutMs / 1000)} s; the end of ${logFile}:\n${logTail(logFile)}`,
  );
}

/** Whether the server serves the namespace: what a worker and a client need of it. */
async function answers(address: string, namespace: string, timeoutMs: number): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: timeoutMs });
    const { workflowService } = connection;
    // A server that accepts the connection but does not answer yet must not hold the wait past its end.
    await connection.withDeadline(Date.now() + timeoutMs, () =>
      workflowService.describeNamespace({ namespace }),
    );
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => {});
  }
}

/** A process that never started (no such file, not executable) says why in an error event. */
async function spawnFailure(child: ChildProcess, binary: string): Promise<Error> {
  const error = await new Promise<Error>((resolve) => child.once("error", resolve));
  return new Error(`could not start the Temporal dev server ${binary}: ${error.message}`);
}

function exitError(child: ChildProcess, logFile: string): Error {
  const how =
    child.signalCode !== null ? `was killed by ${child.signalCode}` : `exited with code ${child.exitCode}`;
  return new Error(
    `the Temporal dev server ${how} before it was ready; the end of ${logFile}:\n${logTail(logFile)}`,
  );
}

function logTail(logFile: string): string {
  try {
    return readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-LOG_TAIL_LINES).join("\n");
  } catch {
    return "(no log)";
  }
}

/**
 * Whether this start failed for a port another process took: the whole log is read (it holds this
 * start's output only), as the server panics on it with a goroutine trace far longer than a tail.
 */
function portTaken(logFile: string): boolean {
  try {
    return /address already in use|failed assigning ephemeral port/.test(readFileSync(logFile, "utf8"));
  } catch {
    return false;
  }
}

/** A port free on `host` right now; the server binds it a moment later. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null
          ? resolve(address.port)
          : reject(new Error("no TCP port")),
      );
    });
  });
}
