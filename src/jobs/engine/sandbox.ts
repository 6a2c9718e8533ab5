import { existsSync, realpathSync } from "node:fs";

/**
 * What a tenant's program may see of the machine. A template is code a tenant wrote, and the
 * engine runs it as the service's user: without a sandbox it could read the service's database,
 * its master key and every other tenant's state. bubblewrap gives it the machine read-only,
 * with the service's own places hidden, and only its own stack's places writable.
 */
export interface SandboxPlan {
  /** Directories the program must not see: each becomes an empty, private tmpfs. */
  readonly hiddenDirs: readonly string[];
  /** Files the program must not read (secrets the service's configuration points at). */
  readonly hiddenFiles: readonly string[];
  /** Places inside hidden directories the engine still reads: the template's program, its installs. */
  readonly readable: readonly string[];
  /** Where the engine writes: the stack's project copy, its state, the job's scratch, PULUMI_HOME. */
  readonly writable: readonly string[];
  /** Kept read-only although inside a writable place (PULUMI_HOME's plugins, shared by every stack). */
  readonly readOnlyWithin: readonly string[];
}

export const SANDBOX_COMMAND = "bwrap";

/** `command args…` run inside the sandbox the plan describes. */
export function sandboxedCommand(
  command: string,
  args: readonly string[],
  plan: SandboxPlan,
): { command: string; args: string[] } {
  const sandbox: string[] = [
    "--die-with-parent",
    "--unshare-pid",
    "--unshare-ipc",
    "--ro-bind",
    "/",
    "/",
    "--dev",
    "/dev",
    "--proc",
    "/proc",
  ];
  // Later mounts go on top of earlier ones: hide first, then open what the run needs.
  for (const dir of existing(plan.hiddenDirs)) sandbox.push("--tmpfs", dir);
  for (const file of existing(plan.hiddenFiles)) sandbox.push("--ro-bind", "/dev/null", file);
  for (const dir of existing(plan.readable)) sandbox.push("--ro-bind", dir, dir);
  for (const dir of existing(plan.writable)) sandbox.push("--bind", dir, dir);
  for (const dir of existing(plan.readOnlyWithin)) sandbox.push("--ro-bind", dir, dir);
  return { command: SANDBOX_COMMAND, args: [...sandbox, "--", command, ...args] };
}

/** Real paths of those that exist: a mount needs an existing source, and links resolved. */
function existing(paths: readonly string[]): string[] {
  return [...new Set(paths.filter((p) => existsSync(p)).map((p) => realpathSync(p)))];
}
