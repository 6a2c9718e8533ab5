import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pins from "../../versions.json";

const run = promisify(execFile);

/**
 * One offline, isolated Pulumi engine environment: a file:// backend in a fresh temporary
 * directory, the passphrase secrets provider, no update check and no plugin download. Tests and
 * examples use this and nothing else to run the engine. The passphrase reaches the engine through
 * the environment, never the command line.
 */
export interface IsolatedEngine {
  /** The temporary directory holding the backend (and anything else the caller puts there). */
  readonly dir: string;
  readonly backendUrl: string;
  /** The environment for any process that runs the engine (CLI, Automation API, programs). */
  readonly env: NodeJS.ProcessEnv;
  /** Runs the pinned `pulumi` CLI. Never rejects: the caller asserts on the result. */
  pulumi(args: readonly string[], options?: PulumiRunOptions): Promise<CommandResult>;
  /**
   * Every checkpoint file of the backend, with its path; of another file backend's directory
   * when `backendDir` is given (a test that keeps a project's stacks apart).
   */
  stateFiles(backendDir?: string): Promise<{ path: string; text: string }[]>;
  dispose(): Promise<void>;
}

export interface PulumiRunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Written to the CLI's stdin: how secrets reach it, never as arguments. */
  readonly input?: string;
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface EngineFacts {
  readonly pulumiPath: string;
  readonly version: string;
  readonly pulumiHome: string;
}

/**
 * Finds the pinned engine that ./dev.sh put on PATH and fails — never skips — when it is not
 * there or is another version.
 */
export async function requireEngine(env: NodeJS.ProcessEnv = process.env): Promise<EngineFacts> {
  const expected = `v${pins.pulumi}`;
  let version: string;
  let pulumiPath: string;
  try {
    pulumiPath = (await run("sh", ["-c", "command -v pulumi"], { env })).stdout.trim();
    version = (await run("pulumi", ["version"], { env })).stdout.trim();
  } catch {
    throw new Error(
      `the Pulumi engine is not on PATH: run the tests with ./dev.sh test, which builds ${expected} (versions.json)`,
    );
  }
  if (version !== expected) {
    throw new Error(
      `pulumi on PATH (${pulumiPath}) is ${version}, but versions.json pins ${expected}: run through ./dev.sh`,
    );
  }
  const pulumiHome = env.PULUMI_HOME;
  if (!pulumiHome) throw new Error("PULUMI_HOME is not set: run the tests with ./dev.sh test");
  return { pulumiPath, version, pulumiHome };
}

export async function createIsolatedEngine(options: { passphrase?: string } = {}): Promise<IsolatedEngine> {
  const facts = await requireEngine();
  const dir = await mkdtemp(join(tmpdir(), "stackwright-engine-"));
  const backendUrl = `file://${join(dir, "state")}`;
  await mkdir(join(dir, "state"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_HOME: facts.pulumiHome,
    PULUMI_BACKEND_URL: backendUrl,
    PULUMI_CONFIG_PASSPHRASE: options.passphrase ?? "stackwright-test-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    NO_COLOR: "1",
  };
  delete env.PULUMI_CONFIG_PASSPHRASE_FILE;
  delete env.PULUMI_ACCESS_TOKEN;

  return {
    dir,
    backendUrl,
    env,
    pulumi(args, opts: PulumiRunOptions = {}) {
      return runCommand("pulumi", [...args, "--non-interactive"], {
        cwd: opts.cwd ?? dir,
        env: { ...env, ...opts.env },
        input: opts.input,
      });
    },
    async stateFiles(backendDir = join(dir, "state")) {
      const root = join(backendDir, ".pulumi", "stacks");
      const found: { path: string; text: string }[] = [];
      const walk = async (d: string): Promise<void> => {
        for (const entry of await readdir(d, { withFileTypes: true }).catch(() => [])) {
          const p = join(d, entry.name);
          if (entry.isDirectory()) await walk(p);
          else if (entry.name.endsWith(".json")) found.push({ path: p, text: await readFile(p, "utf8") });
        }
      };
      await walk(root);
      return found;
    },
    async dispose() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs a command to completion, `input` on its stdin. Never rejects: the caller asserts on the
 * result. A variable set to undefined in `env` is left out of the child's environment.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; input: string | undefined },
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", (error) => resolve({ code: 127, stdout, stderr: `${stderr}${error.message}` }));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    // A command may exit without reading its input (a usage error, say): that is its answer, not
    // an error of ours.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}
