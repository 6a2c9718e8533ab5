import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type EngineEvent, LocalWorkspace, type PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { EngineProcesses, isConcurrentUpdate } from "./engine-process";
import { EventLogTail } from "./event-log";
import type { JobResult } from "./job-store";
import type { ChangeSummary, Job, StopReason } from "./model";
import { commandResultOf } from "./pulumi-sdk-internals";
import { BoundedOutput, RedactingLines, Redactor } from "./redaction";
import type { StackConfig } from "./service-config";
import { MissingSecretError, type StackEnvironment, stackEnvironment } from "./stack-environment";
import { clearStackLock } from "./stack-lock";
import type { Workloads } from "./workloads";

export interface RunContext {
  readonly job: Job;
  readonly stack: StackConfig;
  /** The job's own spec for a component workload, when the request carried one. */
  readonly spec?: Record<string, unknown>;
  readonly workloads: Workloads;
  readonly cli: PulumiCommand;
  /** Aborted with a StopReason to stop the job: interrupt, then kill after `graceMs`. */
  readonly signal: AbortSignal;
  readonly graceMs: number;
  /** Records one progress event (already redacted). */
  readonly emit: (kind: string, data: Record<string, unknown>) => void;
  /** Called before each retry, so the job's attempt count follows. */
  readonly onRetry: (attempt: number, delayMs: number) => Promise<void>;
  readonly retry: RetryPolicy;
  readonly env?: NodeJS.ProcessEnv;
  /** Remembers which stacks this process has already created and configured. */
  readonly setups: StackSetups;
  /** The job's scratch directory (see job-scratch.ts): the engine's TMPDIR, event logs. */
  readonly scratchDir: string;
  /** Every other secret the service holds (see service-secrets.ts), redacted like the stack's own. */
  readonly serviceSecrets: readonly string[];
}

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

/**
 * How a job waits for a stack that another update holds: tries again after 1 s, 2 s, 4 s, … (at
 * most `maxDelayMs` apart) until it has waited `windowMs` in all.
 */
export interface RetryPolicy {
  readonly windowMs: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export function lockRetryPolicy(windowMs: number): RetryPolicy {
  return { windowMs, baseDelayMs: 1000, maxDelayMs: 15_000 };
}

/**
 * Runs one job's operation through the Automation API against the real CLI, and says how it
 * ended. Never throws: every failure becomes a result.
 */
export async function runJob(ctx: RunContext): Promise<JobResult> {
  const output = new BoundedOutput();
  let environment: StackEnvironment;
  try {
    const base = stackEnvironment(ctx.stack, ctx.env, ctx.workloads.runtime(ctx.stack.workload));
    const tmp = join(ctx.scratchDir, "tmp");
    mkdirSync(tmp, { recursive: true });
    // Whatever the engine, its language host or the program leave behind goes with the job.
    environment = { ...base, env: { ...base.env, TMPDIR: tmp } };
  } catch (error) {
    if (!(error instanceof MissingSecretError)) throw error;
    return failed(error.message, null, null, "");
  }
  const redactor = new Redactor([...environment.secretValues, ...ctx.serviceSecrets]);
  const lines = new RedactingLines(redactor, (text) => output.append(text));
  const tally: ChangeSummary = {};
  const onEvent = (event: EngineEvent) => {
    const recorded = summarize(event, tally);
    if (recorded) ctx.emit(recorded.kind, redactor.value(recorded.data));
  };
  const processes = new EngineProcesses(ctx.job.id);
  const forceKill = () => {
    const timer = setTimeout(() => processes.killAll(), ctx.graceMs);
    timer.unref();
  };
  if (ctx.signal.aborted) forceKill();
  else ctx.signal.addEventListener("abort", forceKill, { once: true });

  const retry = ctx.retry;
  let waitedMs = 0;
  let outcome: { changes: ChangeSummary | null } | { error: unknown } | undefined;
  try {
    const workDir = ctx.workloads.projectDir(ctx.stack, ctx.spec);
    const fingerprint = fingerprintOf(workDir, ctx.stack, environment);
    await ctx.setups.ensure(ctx.stack.name, fingerprint, async () => {
      const pulumiCommand = processes.command(ctx.cli, environment.env);
      const workspace = await LocalWorkspace.create({ workDir, pulumiCommand });
      const stack = await Stack.createOrSelect(ctx.stack.name, workspace);
      await applyConfig(stack, ctx, environment, processes);
    });
    for (let attempt = 1; ; attempt++) {
      try {
        outcome = { changes: await operate(ctx, processes, workDir, environment.env, lines, onEvent) };
        break;
      } catch (error) {
        if (!isConcurrentUpdate(error) || waitedMs >= retry.windowMs || ctx.signal.aborted) throw error;
        const delayMs = Math.min(
          retry.maxDelayMs,
          retry.baseDelayMs * 2 ** (attempt - 1),
          retry.windowMs - waitedMs,
        );
        waitedMs += delayMs;
        ctx.emit("retry", { attempt: attempt + 1, delayMs, reason: "concurrent update" });
        await ctx.onRetry(attempt + 1, delayMs);
        await sleep(delayMs, ctx.signal);
      }
    }
  } catch (error) {
    ctx.setups.forget(ctx.stack.name);
    outcome = { error };
  } finally {
    ctx.signal.removeEventListener("abort", forceKill);
    lines.flush();
  }

  const text = output.toString();
  if (ctx.signal.aborted) {
    // The engine was interrupted or killed, and a killed engine leaves its lock behind.
    await clearStackLock(ctx.stack, environment.env, ctx.cli, processes, ctx.scratchDir).catch((e: Error) =>
      ctx.emit("diagnostic", {
        severity: "warning",
        message: redactor.text(`could not clear the stack lock: ${e.message}`),
      }),
    );
    const reason = ctx.signal.reason as StopReason;
    const message =
      reason === "timed_out" ? `timed out after ${Math.round(ctx.job.timeoutMs / 1000)} s` : "canceled";
    return {
      status: reason,
      exitCode: exitCodeOf("error" in outcome ? outcome.error : undefined),
      error: message,
      changes: nonEmpty(tally),
      output: text,
      outputTruncated: output.truncated,
    };
  }
  if ("error" in outcome) {
    const error = outcome.error;
    const message = redactor.text(describe(error));
    return failed(message, exitCodeOf(error), nonEmpty(tally), text, output.truncated);
  }
  return {
    status: "succeeded",
    exitCode: 0,
    error: null,
    changes: outcome.changes ?? nonEmpty(tally),
    output: text,
    outputTruncated: output.truncated,
  };
}

const OPERATION_ARGS: Record<Job["operation"], string[]> = {
  preview: ["preview"],
  up: ["up", "--yes", "--skip-preview"],
  refresh: ["refresh", "--yes", "--skip-preview"],
  destroy: ["destroy", "--yes", "--skip-preview"],
};

/**
 * Runs the operation with the CLI and its event log, the way the Automation API's Stack does,
 * but without what Stack.up/refresh/destroy do afterwards: three more CLI runs to read the
 * stack's outputs and last history entry, secrets decrypted (over a second per job). The
 * change summary comes from the engine's own summary event instead.
 */
async function operate(
  ctx: RunContext,
  processes: EngineProcesses,
  workDir: string,
  env: NodeJS.ProcessEnv,
  lines: RedactingLines,
  onEvent: (e: EngineEvent) => void,
): Promise<ChangeSummary | null> {
  const logDir = mkdtempSync(join(ctx.scratchDir, "events-"));
  const logFile = join(logDir, "events.jsonl");
  let summary: ChangeSummary | null = null;
  const tail = new EventLogTail(logFile, (event) => {
    if (event.summaryEvent) summary = counts(event.summaryEvent.resourceChanges);
    onEvent(event);
  });
  try {
    await processes.run(
      ctx.cli.command,
      [
        ...OPERATION_ARGS[ctx.job.operation],
        "--stack",
        ctx.stack.name,
        "--event-log",
        logFile,
        "--color",
        "never",
        "--non-interactive",
      ],
      workDir,
      // The CLI accepts --event-log only with debug commands on (as the Automation API sets it).
      { ...env, PULUMI_DEBUG_COMMANDS: "true" },
      { onOutput: (t) => lines.write(t), onError: (t) => lines.write(t), signal: ctx.signal },
    );
  } finally {
    tail.close();
    rmSync(logDir, { recursive: true, force: true });
  }
  return summary;
}

function fingerprintOf(workDir: string, stack: StackConfig, environment: StackEnvironment): string {
  return createHash("sha256")
    .update(JSON.stringify([workDir, stack.backend, stack.config, environment.secretConfig]))
    .digest("hex");
}

/** Plain config through the Automation API; secret config from standard input, never argv. */
async function applyConfig(
  stack: Stack,
  ctx: RunContext,
  environment: StackEnvironment,
  processes: EngineProcesses,
): Promise<void> {
  const plain = Object.entries(ctx.stack.config);
  if (plain.length > 0)
    await stack.setAllConfig(Object.fromEntries(plain.map(([k, value]) => [k, { value, secret: false }])));
  for (const [key, value] of Object.entries(environment.secretConfig)) {
    await processes.run(
      ctx.cli.command,
      ["config", "set", "--secret", key, "--stack", ctx.stack.name, "--non-interactive"],
      stack.workspace.workDir,
      environment.env,
      { input: value },
    );
  }
}

/** The part of an engine event worth keeping, or undefined for noise (stdout echoes). */
function summarize(
  event: EngineEvent,
  tally: ChangeSummary,
): { kind: string; data: Record<string, unknown> } | undefined {
  const step =
    event.resourcePreEvent?.metadata ?? event.resOutputsEvent?.metadata ?? event.resOpFailedEvent?.metadata;
  if (event.resourcePreEvent && step)
    return { kind: "resourcePreEvent", data: { urn: step.urn, type: step.type, op: step.op } };
  if (event.resOutputsEvent && step) {
    tally[step.op] = (tally[step.op] ?? 0) + 1;
    return { kind: "resOutputsEvent", data: { urn: step.urn, type: step.type, op: step.op } };
  }
  if (event.resOpFailedEvent && step)
    return { kind: "resOpFailedEvent", data: { urn: step.urn, type: step.type, op: step.op } };
  if (event.diagnosticEvent) {
    const d = event.diagnosticEvent;
    if (d.ephemeral) return undefined;
    return {
      kind: "diagnosticEvent",
      data: { severity: d.severity, message: d.message.trim(), ...(d.urn && { urn: d.urn }) },
    };
  }
  if (event.summaryEvent)
    return {
      kind: "summaryEvent",
      data: {
        resourceChanges: event.summaryEvent.resourceChanges,
        durationSeconds: event.summaryEvent.durationSeconds,
        maybeCorrupt: event.summaryEvent.maybeCorrupt,
      },
    };
  if (event.cancelEvent) return { kind: "cancelEvent", data: {} };
  if (event.preludeEvent) return { kind: "preludeEvent", data: {} };
  return undefined;
}

function counts(map: Record<string, number | undefined> | undefined): ChangeSummary | null {
  if (!map) return null;
  const out: ChangeSummary = {};
  for (const [op, n] of Object.entries(map)) if (typeof n === "number") out[op] = n;
  return out;
}

function nonEmpty(tally: ChangeSummary): ChangeSummary | null {
  return Object.keys(tally).length > 0 ? { ...tally } : null;
}

function exitCodeOf(error: unknown): number | null {
  return commandResultOf(error)?.code ?? null;
}

/** The engine's own error lines when there are any: they say what went wrong. */
function describe(error: unknown): string {
  const result = commandResultOf(error);
  if (result) {
    const text = `${result.stderr}\n${result.stdout}`;
    const errorLines = text
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => /^error:/i.test(l) || /^\s*error:/i.test(l));
    return errorLines.length > 0
      ? [...new Set(errorLines)].join("\n")
      : `pulumi exited with code ${result.code}: ${result.stderr.trim().split("\n").slice(-5).join("\n")}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function failed(
  error: string,
  exitCode: number | null,
  changes: ChangeSummary | null,
  output: string,
  outputTruncated = false,
): JobResult {
  return { status: "failed", exitCode, error, changes, output, outputTruncated };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
