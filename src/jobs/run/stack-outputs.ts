import type { PulumiCommand } from "@pulumi/pulumi/automation";
import type { EngineProcesses } from "../engine/engine-process";

/**
 * The stack's outputs as `pulumi stack output --json` gives them without `--show-secrets`: an
 * output the program marked secret reads `[secret]`, so its value never leaves the state.
 */
export async function readStackOutputs(
  cli: PulumiCommand,
  processes: EngineProcesses,
  stackName: string,
  workDir: string,
  env: NodeJS.ProcessEnv,
): Promise<Record<string, unknown>> {
  let text = "";
  await processes.run(
    cli.command,
    ["stack", "output", "--json", "--stack", stackName, "--non-interactive"],
    workDir,
    env,
    { onOutput: (chunk) => (text += chunk) },
  );
  const parsed: unknown = JSON.parse(text || "{}");
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw new Error("pulumi stack output --json did not print an object");
  return parsed as Record<string, unknown>;
}
