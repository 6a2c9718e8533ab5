import { spawn } from "node:child_process";

export interface ToolRun {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal | undefined;
}

/** How much of a failed run's output its error carries: where npm and pip say what went wrong. */
const ERROR_LINES = 30;
const ERROR_CHARS = 4000;
/** What is kept while it runs: an install can print megabytes. */
const KEPT_CHARS = 64 * 1024;

/**
 * Runs a package manager (or the interpreter) to completion, with exactly `env` and no shell, and
 * returns its standard output. A failure throws an Error naming `what` with the last lines of its
 * output. On abort the process and anything it started are killed (it runs in a process group of
 * its own), and the promise rejects only once they are gone, so the caller can remove the
 * directory it was writing to.
 */
export function runTool(
  command: string,
  args: readonly string[],
  what: string,
  run: ToolRun,
): Promise<string> {
  return new Promise((resolve, reject) => {
    if (run.signal?.aborted) {
      reject(run.signal.reason);
      return;
    }
    const child = spawn(command, args, {
      cwd: run.cwd,
      env: run.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let output = "";
    const keep = (text: string) => {
      output = (output + text).slice(-KEPT_CHARS);
    };
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout = (stdout + d).slice(-KEPT_CHARS);
      keep(d);
    });
    child.stderr.setEncoding("utf8").on("data", keep);
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    run.signal?.addEventListener("abort", kill, { once: true });
    child.on("error", (error) => {
      // Not started at all (no such command); once started, its end comes through "close".
      if (child.pid !== undefined) return;
      run.signal?.removeEventListener("abort", kill);
      reject(new Error(`${what}: could not run ${command}: ${error.message}`));
    });
    child.on("close", (code, signal) => {
      run.signal?.removeEventListener("abort", kill);
      if (run.signal?.aborted) reject(run.signal.reason);
      else if (code === 0) resolve(stdout);
      else
        reject(
          new Error(
            `${what} failed (${code === null ? `signal ${signal}` : `exit ${code}`}):\n${tail(output)}`,
          ),
        );
    });
  });
}

/** The last lines of `text`, at most ERROR_LINES of them and ERROR_CHARS characters. */
export function tail(text: string): string {
  const lines = text.replace(/\r/g, "").trimEnd().split("\n");
  const kept = lines.slice(-ERROR_LINES).join("\n");
  return kept.length <= ERROR_CHARS ? kept : `…${kept.slice(-ERROR_CHARS)}`;
}
