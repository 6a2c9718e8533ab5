import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { EngineEvent, PulumiCommand } from "@pulumi/pulumi/automation";
import type { ChangeSummary, Operation } from "../domain/job";
import { EventLogTail } from "../engine/engine-event-log";
import type { EngineProcesses } from "../engine/engine-process";
import { type SandboxPlan, sandboxedCommand } from "../engine/sandbox";
import type { RedactingLines } from "../redaction/redactor";
import { changeCounts } from "./event-summary";

const OPERATION_ARGS: Record<Operation, string[]> = {
  preview: ["preview"],
  up: ["up", "--yes", "--skip-preview"],
  refresh: ["refresh", "--yes", "--skip-preview"],
  destroy: ["destroy", "--yes", "--skip-preview"],
};

export interface OperationRun {
  readonly operation: Operation;
  readonly stackName: string;
  readonly workDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cli: PulumiCommand;
  readonly processes: EngineProcesses;
  /** Where the event log goes; removed afterwards. */
  readonly scratchDir: string;
  /** The engine's output, as it comes. */
  readonly lines: RedactingLines;
  readonly onEvent: (event: EngineEvent) => void;
  readonly signal: AbortSignal;
  /** Run the program in this sandbox (a tenant's template); none for the operator's own stacks. */
  readonly sandbox?: SandboxPlan;
}

/**
 * Runs the operation with the CLI and its event log, the way the Automation API's Stack does,
 * but without what Stack.up/refresh/destroy do afterwards: three more CLI runs to read the
 * stack's outputs and last history entry, secrets decrypted (over a second per job). The
 * change summary comes from the engine's own summary event instead.
 */
export async function runEngineOperation(run: OperationRun): Promise<ChangeSummary | null> {
  const logDir = mkdtempSync(join(run.scratchDir, "events-"));
  const logFile = join(logDir, "events.jsonl");
  let summary: ChangeSummary | null = null;
  const tail = new EventLogTail(logFile, (event) => {
    if (event.summaryEvent) summary = changeCounts(event.summaryEvent.resourceChanges);
    run.onEvent(event);
  });
  try {
    const args = [
      ...OPERATION_ARGS[run.operation],
      "--stack",
      run.stackName,
      "--event-log",
      logFile,
      "--color",
      "never",
      "--non-interactive",
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
      { ...run.env, PULUMI_DEBUG_COMMANDS: "true" },
      { onOutput: (t) => run.lines.write(t), onError: (t) => run.lines.write(t), signal: run.signal },
    );
  } finally {
    tail.close();
    rmSync(logDir, { recursive: true, force: true });
  }
  return summary;
}
