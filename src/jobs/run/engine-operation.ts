import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EngineEvent, PulumiCommand } from "@pulumi/pulumi/automation";
import type { ChangeSummary, JobPlan, Operation } from "../domain/job";
import type { PolicyEnforcement } from "../domain/policy-pack";
import { EventLogTail } from "../engine/engine-event-log";
import type { EngineProcesses } from "../engine/engine-process";
import { type SandboxPlan, sandboxedCommand } from "../engine/sandbox";
import type { RedactingLines } from "../redaction/redactor";
import { changeCounts } from "./event-summary";
import { stackOutputsOf } from "./stack-outputs";
import { planRun } from "./update-plan";

const OPERATION_ARGS: Record<Operation, string[]> = {
  preview: ["preview"],
  up: ["up", "--yes", "--skip-preview"],
  refresh: ["refresh", "--yes", "--skip-preview"],
  destroy: ["destroy", "--yes", "--skip-preview"],
};

/** A policy pack as the engine runs it: its prepared directory, and the level its attachment asks for. */
export interface PolicyPackRun {
  readonly dir: string;
  readonly enforcement: PolicyEnforcement | null;
}

/** The operations policies check: those that decide what the stack becomes. */
const CHECKED_BY_POLICIES: ReadonlySet<Operation> = new Set(["preview", "up"]);

export interface OperationRun {
  readonly operation: Operation;
  readonly stackName: string;
  readonly workDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cli: PulumiCommand;
  readonly processes: EngineProcesses;
  /** Where the event log (and the plan file) go; removed afterwards. */
  readonly scratchDir: string;
  /** The engine's output, as it comes. */
  readonly lines: RedactingLines;
  readonly onEvent: (event: EngineEvent) => void;
  readonly signal: AbortSignal;
  /** Run the program in this sandbox (a tenant's template); none for the operator's own stacks. */
  readonly sandbox?: SandboxPlan;
  /** Save the preview's update plan, or apply one (checked against the operation when the job was queued). */
  readonly plan?: JobPlan;
  /** Policy packs to check a preview or an up with. */
  readonly policyPacks?: readonly PolicyPackRun[];
}

export interface OperationOutcome {
  readonly changes: ChangeSummary | null;
  /** The update plan the engine saved, when the run was asked to save one. */
  readonly savedPlan?: string;
  /** The stack's outputs as the update left them (secret ones as `[secret]`), when it reported them. */
  readonly stackOutputs?: Record<string, unknown>;
}

/**
 * Runs the operation with the CLI and its event log, the way the Automation API's Stack does,
 * but without what Stack.up/refresh/destroy do afterwards: three more CLI runs to read the
 * stack's outputs and last history entry, secrets decrypted (over a second per job). The
 * change summary comes from the engine's own summary event instead.
 */
export async function runEngineOperation(run: OperationRun): Promise<OperationOutcome> {
  const runDir = mkdtempSync(join(run.scratchDir, "operation-"));
  const logFile = join(runDir, "events.jsonl");
  let summary: ChangeSummary | null = null;
  let stackOutputs: Record<string, unknown> | undefined;
  const tail = new EventLogTail(logFile, (event) => {
    if (event.summaryEvent) summary = changeCounts(event.summaryEvent.resourceChanges);
    stackOutputs = stackOutputsOf(event) ?? stackOutputs;
    run.onEvent(event);
  });
  let savedPlan: string | undefined;
  try {
    const plan = run.plan === undefined ? undefined : planRun(run.plan, runDir);
    const args = [
      ...(plan?.operationArgs ?? OPERATION_ARGS[run.operation]),
      "--stack",
      run.stackName,
      "--event-log",
      logFile,
      "--color",
      "never",
      "--non-interactive",
      ...(CHECKED_BY_POLICIES.has(run.operation) ? policyArgs(run.policyPacks ?? [], runDir) : []),
    ];
    const command = run.sandbox
      ? sandboxedCommand(run.cli.command, args, {
          ...run.sandbox,
          writable: [...run.sandbox.writable, run.scratchDir],
        })
      : { command: run.cli.command, args };
    await run.processes.run(
      command.command,
      command.args,
      run.workDir,
      // The CLI accepts --event-log only with debug commands on (as the Automation API sets it).
      { ...run.env, PULUMI_DEBUG_COMMANDS: "true", ...plan?.env },
      { onOutput: (t) => run.lines.write(t), onError: (t) => run.lines.write(t), signal: run.signal },
    );
    savedPlan = plan?.savedPlan();
  } finally {
    // Closing reads the log's last events, the summary among them.
    tail.close();
    rmSync(runDir, { recursive: true, force: true });
  }
  return {
    changes: summary,
    ...(savedPlan !== undefined && { savedPlan }),
    ...(stackOutputs !== undefined && { stackOutputs }),
  };
}

/**
 * `--policy-pack` for each pack; when any attachment sets a level, a `--policy-pack-config` for
 * every pack in the same order (the engine pairs them by position), setting `all` of a pack's
 * policies to that level or leaving them as the pack gives them.
 */
function policyArgs(packs: readonly PolicyPackRun[], runDir: string): string[] {
  const args = packs.flatMap((pack) => ["--policy-pack", pack.dir]);
  if (packs.every((pack) => pack.enforcement === null)) return args;
  packs.forEach((pack, index) => {
    const file = join(runDir, `policy-config-${index}.json`);
    writeFileSync(file, JSON.stringify(pack.enforcement === null ? {} : { all: pack.enforcement }));
    args.push("--policy-pack-config", file);
  });
  return args;
}
