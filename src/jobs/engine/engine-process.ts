import { spawn } from "node:child_process";
import { ConcurrentUpdateError, type PulumiCommand } from "@pulumi/pulumi/automation";
import { JOB_ID_ENV, killJobProcesses } from "./job-process-tree";
import { commandError, commandResult, type EngineResult, withRun } from "./pulumi-sdk-internals";

/**
 * The Pulumi CLI as the Automation API runs it, but in a process group of its own, so that a job
 * can be interrupted gracefully (SIGINT, the engine stops at a safe point) and, when that takes
 * too long, killed together with its language host and provider plugins (SIGKILL to the group).
 * The Automation API's own runner can only send SIGINT to the CLI itself. One instance is one
 * job's handle on its engine processes.
 */
export class EngineProcesses {
  private readonly groups = new Set<number>();

  /** `jobId`: the job these processes belong to; none for the service's own housekeeping runs. */
  constructor(private readonly jobId?: string) {}

  /** Stops every engine process of this job at once, plugins included (the force step of a cancel). */
  killAll(): void {
    for (const pid of this.groups) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    if (this.jobId !== undefined) killJobProcesses(this.jobId);
  }

  /**
   * A PulumiCommand for the Automation API (LocalWorkspace's `pulumiCommand`) that runs `cli`
   * with exactly `env`: nothing of the service's own environment (its other stacks' secrets)
   * reaches the engine unless the caller put it there.
   */
  command(cli: PulumiCommand, env: NodeJS.ProcessEnv): PulumiCommand {
    return withRun(cli, (args, cwd, additionalEnv, onOutput, onError, signal) =>
      this.run(
        cli.command,
        [...args, "--non-interactive"],
        cwd,
        { ...env, ...additionalEnv },
        { onOutput, onError, signal },
      ),
    );
  }

  /** Runs the CLI with exactly `env`, in a process group of its own; throws the Automation API's errors. */
  run(
    command: string,
    args: string[],
    cwd: string,
    env: NodeJS.ProcessEnv,
    io: {
      onOutput?: ((data: string) => void) | undefined;
      onError?: ((data: string) => void) | undefined;
      signal?: AbortSignal | undefined;
      /** Written to the CLI's standard input: how a secret reaches it without the command line. */
      input?: string;
    },
  ): Promise<EngineResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        cwd,
        env: {
          ...env,
          PULUMI_AUTOMATION_API: "true",
          ...(this.jobId !== undefined && { [JOB_ID_ENV]: this.jobId }),
        },
        detached: true,
        stdio: [io.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      });
      child.stdin?.end(io.input);
      const pid = child.pid;
      if (pid !== undefined) this.groups.add(pid);
      let stdout = "";
      let stderr = "";
      child.stdout?.setEncoding("utf8").on("data", (d: string) => {
        stdout += d;
        io.onOutput?.(d);
      });
      child.stderr?.setEncoding("utf8").on("data", (d: string) => {
        stderr += d;
        io.onError?.(d);
      });
      const interrupt = () => {
        if (pid !== undefined) {
          try {
            process.kill(-pid, "SIGINT");
          } catch {
            // Already gone.
          }
        }
      };
      if (io.signal?.aborted) interrupt();
      io.signal?.addEventListener("abort", interrupt, { once: true });
      child.on("error", (error) => {
        if (pid !== undefined) this.groups.delete(pid);
        reject(commandError(commandResult(stdout, `${stderr}${error.message}`, -2)));
      });
      child.on("close", (code, signalName) => {
        if (pid !== undefined) this.groups.delete(pid);
        io.signal?.removeEventListener("abort", interrupt);
        const exitCode = code ?? (signalName === "SIGKILL" ? 137 : 130);
        const result = commandResult(stdout, stderr, exitCode);
        if (exitCode === 0) resolve(result);
        else reject(commandError(result));
      });
    });
  }
}

/** Another update holds the stack (the DIY backends' lock, or Pulumi Cloud's 409). */
export function isConcurrentUpdate(error: unknown): boolean {
  return error instanceof ConcurrentUpdateError;
}
