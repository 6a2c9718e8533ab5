import { CommandError, PulumiCommand } from "@pulumi/pulumi/automation";

/**
 * Every private piece of the Pulumi Node.js SDK (@pulumi/pulumi) that Stackwright relies on, and
 * nothing else. The job service runs the Pulumi CLI itself (EngineProcesses, for process groups
 * and an exact environment), yet lets the Automation API drive it; so a run must be called the way
 * the Automation API calls its own runner and must return and throw exactly what that runner does,
 * because the Automation API decides what to do next from the class of the error (a missing stack
 * is created, a locked one is a ConcurrentUpdateError). None of that is public API, and an SDK
 * upgrade may move any of it: this module checks each piece when it loads and throws one error
 * naming every piece that moved, and test/jobs/pulumi-sdk-internals.test.ts checks that each still
 * behaves as relied on.
 */

/** What the Automation API reads of a finished CLI run (the SDK's internal CommandResult). */
export interface EngineResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/** PulumiCommand's internal `run`, the one method the Automation API calls to run the CLI. */
export type PulumiCommandRun = (
  args: string[],
  cwd: string,
  additionalEnv: Record<string, string>,
  onOutput?: (data: string) => void,
  onError?: (data: string) => void,
  signal?: AbortSignal,
) => Promise<EngineResult>;

/** The parameters of PulumiCommand's `run`, in the order PulumiCommandRun takes them. */
export const PULUMI_COMMAND_RUN_PARAMETERS = [
  "args",
  "cwd",
  "additionalEnv",
  "onOutput",
  "onError",
  "signal",
] as const;

type CreateCommandError = (result: EngineResult) => CommandError;
type CommandResultClass = new (stdout: string, stderr: string, code: number) => EngineResult;

const SDK_VERSION = (require("@pulumi/pulumi/package.json") as { version: string }).version;

const moved: string[] = [];

/** `name` exported by `modulePath`, a function; records what moved when it is not there. */
function internalFunction<T>(modulePath: string, name: string): T {
  let exported: Record<string, unknown>;
  try {
    exported = require(modulePath) as Record<string, unknown>;
  } catch (error) {
    moved.push(
      `${modulePath} does not load (${(error as Error).message.split("\n")[0]}), so ${name} is not there`,
    );
    return undefined as T;
  }
  if (typeof exported[name] !== "function")
    moved.push(`${modulePath} no longer exports the function ${name}`);
  return exported[name] as T;
}

/** The Automation API's factory for the error class that a failed run's stderr calls for. */
const sdkCreateCommandError = internalFunction<CreateCommandError>(
  "@pulumi/pulumi/automation/errors",
  "createCommandError",
);
const SdkCommandResult = internalFunction<CommandResultClass>(
  "@pulumi/pulumi/automation/cmd",
  "CommandResult",
);
if (typeof (PulumiCommand.prototype as unknown as { run?: unknown }).run !== "function") {
  moved.push("PulumiCommand (@pulumi/pulumi/automation/cmd) no longer has the method run");
}

if (moved.length > 0) {
  throw new Error(
    `@pulumi/pulumi ${SDK_VERSION} moved internals that Stackwright's job service relies on ` +
      `(src/jobs/engine/pulumi-sdk-internals.ts): ${moved.join("; ")}`,
  );
}

/** A finished run as the Automation API's own runner returns it. */
export function commandResult(stdout: string, stderr: string, code: number): EngineResult {
  return new SdkCommandResult(stdout, stderr, code);
}

/**
 * The error the Automation API's own runner throws for a failed run: StackNotFoundError,
 * StackAlreadyExistsError, ConcurrentUpdateError or CommandError, chosen from its stderr.
 */
export function commandError(result: EngineResult): CommandError {
  return sdkCreateCommandError(result);
}

/** The result a CommandError carries (the Automation API keeps it in a private field). */
export function commandResultOf(error: unknown): EngineResult | undefined {
  return error instanceof CommandError
    ? (error as unknown as { commandResult: EngineResult }).commandResult
    : undefined;
}

/**
 * `cli` with its `run` replaced: a PulumiCommand for the Automation API (LocalWorkspace's
 * `pulumiCommand`) whose every CLI run goes through `run`.
 */
export function withRun(cli: PulumiCommand, run: PulumiCommandRun): PulumiCommand {
  return Object.assign(Object.create(Object.getPrototypeOf(cli)), {
    command: cli.command,
    version: cli.version,
    run,
  }) as PulumiCommand;
}
