import { spawn } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./paths";

export const CLI = join(REPO_ROOT, "dist", "src", "cli", "stackwright.js");

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The command line the process was started with, as the OS saw it. */
  readonly argv: readonly string[];
}

/** Runs the compiled `stackwright` as a user would, with `stdin` as its standard input (empty by default). */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv, stdin = ""): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString("utf8");
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr, argv: child.spawnargs }));
    child.stdin.end(stdin);
  });
}

/** The CLI of a user signed in to the service at `url` with the token `token()` returns. */
export function cliAs(url: () => string | undefined, token: () => string) {
  return (args: readonly string[], extra: NodeJS.ProcessEnv = {}, stdin = ""): Promise<CliRun> =>
    runCli(args, { ...process.env, STACKWRIGHT_URL: url(), STACKWRIGHT_API_TOKEN: token(), ...extra }, stdin);
}

/** A command's output, line by line, without empty lines. */
export function outputLines(text: string): string[] {
  return text.split("\n").filter((line) => line !== "");
}

/** A successful command's --json output. */
export function jsonOutput<T>(run: CliRun): T {
  if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}
