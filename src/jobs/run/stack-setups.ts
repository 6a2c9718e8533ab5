import { createHash } from "node:crypto";
import { LocalWorkspace, type PulumiCommand, Stack } from "@pulumi/pulumi/automation";
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

/** Creates or selects the stack in `workDir` and writes its configuration. */
export async function setUpStack(
  workDir: string,
  stackConfig: StackConfig,
  environment: StackEnvironment,
  cli: PulumiCommand,
  processes: EngineProcesses,
): Promise<void> {
  const pulumiCommand = processes.command(cli, environment.env);
  const workspace = await LocalWorkspace.create({ workDir, pulumiCommand });
  const stack = await Stack.createOrSelect(stackConfig.name, workspace);
  await applyConfig(stack, stackConfig, environment, cli, processes);
}

/** Plain config through the Automation API; secret config from standard input, never argv. */
async function applyConfig(
  stack: Stack,
  stackConfig: StackConfig,
  environment: StackEnvironment,
  cli: PulumiCommand,
  processes: EngineProcesses,
): Promise<void> {
  const plain = Object.entries(stackConfig.config);
  if (plain.length > 0)
    await stack.setAllConfig(Object.fromEntries(plain.map(([k, value]) => [k, { value, secret: false }])));
  const structured = Object.entries(stackConfig.structuredConfig ?? {});
  if (structured.length > 0) {
    // `config set` takes text only, which a typed object or array config key refuses; set-all
    // --json reads each value as the JSON it is. Plain values only: this is on the command line.
    const values = Object.fromEntries(
      structured.map(([key, value]) => [
        `${stackConfig.project}:${key}`,
        { value: JSON.stringify(value), objectValue: value, secret: false },
      ]),
    );
    await processes.run(
      cli.command,
      [
        "config",
        "set-all",
        "--json",
        JSON.stringify(values),
        "--stack",
        stackConfig.name,
        "--non-interactive",
      ],
      stack.workspace.workDir,
      environment.env,
      {},
    );
  }
  for (const [key, value] of Object.entries(environment.secretConfig)) {
    await processes.run(
      cli.command,
      ["config", "set", "--secret", key, "--stack", stackConfig.name, "--non-interactive"],
      stack.workspace.workDir,
      environment.env,
      { input: value },
    );
  }
}
