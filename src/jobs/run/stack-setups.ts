import { createHash } from "node:crypto";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import type { StackConfig } from "../config/service-config";
import type { EngineProcesses } from "../engine/engine-process";
import type { StackEnvironment } from "../workspace/stack-environment";

/**
 * Creating or selecting a stack and writing its configuration take a CLI run each; a worker does
 * them for a stack the first time it runs one of its jobs, and again only when the project
 * directory or the configuration (secret values included, by hash) changed.
 */
export class StackSetups {
  private readonly done = new Map<string, string>();

  async ensure(stackName: string, fingerprint: string, setUp: () => Promise<void>): Promise<void> {
    if (this.done.get(stackName) === fingerprint) return;
    this.done.delete(stackName);
    await setUp();
    this.done.set(stackName, fingerprint);
  }

  /** After a failure the stack may be in any state: set it up again next time. */
  forget(stackName: string): void {
    this.done.delete(stackName);
  }
}

/** What a stack's setup depends on: when it changes, the stack is set up again. */
export function setupFingerprint(workDir: string, stack: StackConfig, environment: StackEnvironment): string {
  return createHash("sha256")
    .update(
      JSON.stringify([
        workDir,
        stack.backend,
        stack.config,
        stack.structuredConfig ?? {},
        environment.secretConfig,
      ]),
    )
    .digest("hex");
}

/**
 * Creates or selects the stack in `workDir` and writes its configuration: one CLI run for the
 * stack (`stack select --create`, where the Automation API's createOrSelect takes two for a new
 * stack: a select that fails, then an init), one for every plain and structured value together,
 * and one per secret value, which reaches the CLI on standard input, never its command line.
 */
export async function setUpStack(
  workDir: string,
  stackConfig: StackConfig,
  environment: StackEnvironment,
  cli: PulumiCommand,
  processes: EngineProcesses,
): Promise<void> {
  const run = (args: string[], input?: string) =>
    processes.run(
      cli.command,
      [...args, "--stack", stackConfig.name, "--non-interactive"],
      workDir,
      environment.env,
      input === undefined ? {} : { input },
    );
  await run(["stack", "select", "--create"]);
  // set-all --json reads each value as the JSON it is: text stays text, and a typed object or
  // array key gets its structure (plain `config set` takes text only). Plain values only: this is
  // on the command line.
  // A key without a namespace is the project's, as `config set` reads it.
  const qualified = (key: string) => (key.includes(":") ? key : `${stackConfig.project}:${key}`);
  const values = Object.fromEntries([
    ...Object.entries(stackConfig.config).map(([key, value]) => [qualified(key), { value, secret: false }]),
    ...Object.entries(stackConfig.structuredConfig ?? {}).map(([key, value]) => [
      qualified(key),
      { value: JSON.stringify(value), objectValue: value, secret: false },
    ]),
  ]);
  if (Object.keys(values).length > 0) await run(["config", "set-all", "--json", JSON.stringify(values)]);
  for (const [key, value] of Object.entries(environment.secretConfig))
    await run(["config", "set", "--secret", key], value);
}
