import { type ChildProcess, spawn } from "node:child_process";
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { StackwrightInputError } from "../../core/errors";
import { S3Admin, type S3Credentials } from "./s3-admin";

export const WEED_BINARY_VARIABLE = "STACKWRIGHT_WEED_BIN";

/** SeaweedFS's files in the data directory: its data, its log, and where its S3 API listens now. */
export const EMBEDDED_FILES = { dir: "s3", log: "weed.log", endpoint: "endpoint.json" };

const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 20_000;
const LOG_TAIL_LINES = 20;
/** Another process may take a free port before weed binds it: then new ports, this often. */
const PORT_ATTEMPTS = 3;

export interface EmbeddedSeaweedfs {
  /** `http://127.0.0.1:<port>`: the S3 API (and the IAM API beside it). */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * `weed` (SeaweedFS 4.53, which the bootstrap builds): `$STACKWRIGHT_WEED_BIN`, set inside
 * `./dev.sh`. Anything else is one error saying what to do.
 */
export function weedBinary(env: NodeJS.ProcessEnv): string {
  const binary = env[WEED_BINARY_VARIABLE];
  const fix =
    "the embedded S3 state store is SeaweedFS's `weed` that the bootstrap builds: run through ./dev.sh (./dev.sh run …), set the variable to a `weed` binary, or configure stateStore.s3.endpoint to use a store of your own";
  if (binary === undefined || binary === "")
    throw StackwrightInputError.single(WEED_BINARY_VARIABLE, `not set: ${fix}`);
  let problem: string | undefined;
  try {
    if (!statSync(binary).isFile()) problem = "not a file";
    else accessSync(binary, constants.X_OK);
  } catch (error) {
    problem = (error as NodeJS.ErrnoException).code === "EACCES" ? "not executable" : "no such file";
  }
  if (problem !== undefined)
    throw StackwrightInputError.single(WEED_BINARY_VARIABLE, `${binary}: ${problem}: ${fix}`);
  return binary;
}

/** Where the running embedded store's S3 API is, as the service that started it wrote it. */
export function embeddedEndpoint(dataDir: string): string {
  const file = join(dataDir, EMBEDDED_FILES.dir, EMBEDDED_FILES.endpoint);
  try {
    const { endpoint } = JSON.parse(readFileSync(file, "utf8")) as { endpoint?: unknown };
    if (typeof endpoint === "string") return endpoint;
  } catch {
    // Said below.
  }
  throw new Error(`the embedded S3 state store is not running: ${file} does not name its endpoint`);
}

/**
 * The arguments of `weed mini` serving S3 (and its IAM API, writable) on 127.0.0.1 from `dir`,
 * on the given ports, with telemetry, WebDAV, the admin UI and the Iceberg and Lance ports off.
 */
export function weedMiniArguments(
  dir: string,
  ports: { master: number; volume: number; filer: number; s3: number },
): string[] {
  return [
    // glog's files go beside the data, not to the machine's temporary directory.
    `-logdir=${dir}`,
    "mini",
    `-dir=${dir}`,
    `-ip=${HOST}`,
    `-ip.bind=${HOST}`,
    "-master.telemetry=false",
    `-master.port=${ports.master}`,
    `-volume.port=${ports.volume}`,
    `-filer.port=${ports.filer}`,
    `-s3.port=${ports.s3}`,
    "-s3.port.iceberg=0",
    "-s3.port.lance=0",
    "-s3.iam.readOnly=false",
    "-webdav=false",
    "-admin.ui=false",
    "-admin.port.legacy=0",
  ];
}

/**
 * Starts `weed mini` on 127.0.0.1, on ports free now (they may differ from one start to the next:
 * stacks' state locations do not name them), with its data in `<dataDir>/s3`, telemetry, WebDAV,
 * the admin UI, Iceberg and Lance off, and the IAM API writable. `admin` is its admin identity,
 * passed in weed's environment (never on its command line) and never stored by weed. Ready when
 * the admin identity can list the buckets; fails with the log's tail when weed exits or does not
 * answer in time.
 */
export async function startEmbeddedSeaweedfs(options: {
  readonly binary: string;
  readonly dataDir: string;
  readonly region: string;
  readonly admin: S3Credentials;
  /** The service's environment: weed gets only PATH, HOME and TMPDIR of it. */
  readonly env: NodeJS.ProcessEnv;
  readonly readyTimeoutMs?: number;
}): Promise<EmbeddedSeaweedfs> {
  const dir = join(options.dataDir, EMBEDDED_FILES.dir);
  const log = join(dir, EMBEDDED_FILES.log);
  const endpointFile = join(dir, EMBEDDED_FILES.endpoint);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (let attempt = 1; ; attempt++) {
    const [master, volume, filer, s3] = (await freePorts(4)) as [number, number, number, number];
    const endpoint = `http://${HOST}:${s3}`;
    const child = launch(
      options.binary,
      weedMiniArguments(dir, { master, volume, filer, s3 }),
      {
        ...pick(options.env, ["PATH", "HOME", "TMPDIR", "LANG", "TZ"]),
        AWS_ACCESS_KEY_ID: options.admin.accessKeyId,
        AWS_SECRET_ACCESS_KEY: options.admin.secretAccessKey,
      },
      dir,
      log,
    );
    const stop = stopper(child, endpointFile);
    try {
      if (child.pid === undefined) throw await spawnFailure(child, options.binary);
      const admin = new S3Admin(endpoint, options.region, options.admin);
      await waitReady(child, admin, endpoint, options.readyTimeoutMs ?? READY_TIMEOUT_MS, log);
      // Written whole: the worker thread reads it for every job.
      writeFileSync(`${endpointFile}.tmp`, `${JSON.stringify({ endpoint, pid: child.pid })}\n`);
      renameSync(`${endpointFile}.tmp`, endpointFile);
      return { endpoint, stop };
    } catch (error) {
      await stop();
      if (attempt < PORT_ATTEMPTS && /not available|address already in use/.test(logTail(log))) continue;
      throw error;
    }
  }
}

/** weed in a process group of its own: a Ctrl-C reaches the service, which stops it in order. */
function launch(binary: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, logFile: string) {
  // The previous run's log is kept beside this one's: the reason weed died is often in it.
  if (existsSync(logFile)) renameSync(logFile, `${logFile}.1`);
  const log = openSync(logFile, "a", 0o600);
  try {
    return spawn(binary, args, { cwd, env, stdio: ["ignore", log, log], detached: true });
  } finally {
    closeSync(log);
  }
}

function stopper(child: ChildProcess, endpointFile: string): () => Promise<void> {
  // A service that exits without stopping weed (an uncaught error) still stops it.
  const onExit = () => child.kill("SIGKILL");
  process.once("exit", onExit);
  let stopped: Promise<void> | undefined;
  return () => {
    stopped ??= (async () => {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
        const kill = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
        child.once("exit", () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill("SIGTERM");
      });
      process.removeListener("exit", onExit);
      try {
        const written = JSON.parse(readFileSync(endpointFile, "utf8")) as { pid?: unknown };
        if (written.pid === child.pid) renameSync(endpointFile, `${endpointFile}.stopped`);
      } catch {
        // Never written, or already replaced.
      }
    })();
    return stopped;
  };
}

async function waitReady(
  child: ChildProcess,
  admin: S3Admin,
  endpoint: string,
  timeoutMs: number,
  logFile: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const how =
        child.signalCode !== null
          ? `was killed by ${child.signalCode}`
          : `exited with code ${child.exitCode}`;
      throw new Error(
        `the embedded S3 state store (weed mini) ${how} before it was ready; the end of ${logFile}:\n${logTail(logFile)}`,
      );
    }
    if (await admin.answers()) return;
    await sleep(250);
  }
  throw new Error(
    `the embedded S3 state store (weed mini) did not answer on ${endpoint} within ${Math.round(timeoutMs / 1000)} s; the end of ${logFile}:\n${logTail(logFile)}`,
  );
}

/** A process that never started (no such file, not executable) says why in an error event. */
async function spawnFailure(child: ChildProcess, binary: string): Promise<Error> {
  const error = await new Promise<Error>((resolve) => child.once("error", resolve));
  return new Error(`could not start the embedded S3 state store ${binary}: ${error.message}`);
}

function logTail(logFile: string): string {
  try {
    return readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-LOG_TAIL_LINES).join("\n");
  } catch {
    return "(no log)";
  }
}

function pick(env: NodeJS.ProcessEnv, names: readonly string[]): NodeJS.ProcessEnv {
  return Object.fromEntries(names.flatMap((n) => (env[n] === undefined ? [] : [[n, env[n]]])));
}

/** Ports free on 127.0.0.1 right now, all distinct (held together until all are found). */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++)
      servers.push(
        await new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.once("error", reject);
          server.listen(0, HOST, () => resolve(server));
        }),
      );
    return servers.map((s) => {
      const address = s.address();
      if (address === null || typeof address === "string") throw new Error("no TCP port");
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}
