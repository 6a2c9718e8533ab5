import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { EngineEvent, PulumiCommand } from "@pulumi/pulumi/automation";
import type { StackConfig } from "../config/service-config";
import type { ChangeSummary, Job, JobPlan, StopReason } from "../domain/job";
import { findingOf, POLICY_FINDING_EVENT, type PolicyFinding } from "../domain/policy-pack";
import { EngineProcesses, isConcurrentUpdate } from "../engine/engine-process";
import type { SandboxPlan } from "../engine/sandbox";
import { clearStackLock } from "../engine/stack-lock";
import { RedactingLines, Redactor } from "../redaction/redactor";
import type { JobResult } from "../store/job-store";
import { MissingSecretError, type StackEnvironment, stackEnvironment } from "../workspace/stack-environment";
import { BoundedOutput } from "./bounded-output";
import { type PolicyPackRun, runEngineOperation } from "./engine-operation";
import { isPlannedStep, nonEmpty, summarizeEvent } from "./event-summary";
import { describeFailure, exitCodeOf, failedResult, planViolation, policyViolation } from "./failure-text";
import { type RetryPolicy, retryDelay, sleep } from "./retry-policy";
import { readStackOutputs } from "./stack-outputs";
import { type StackSetups, setUpStack, setupFingerprint } from "./stack-setups";

/** Where a job's program comes from: a registered workload, or a tenant's template version. */
export interface ProjectSource {
  /** The program's Pulumi runtime (`yaml`, `nodejs`, `python`…). */
  readonly runtime: string;
  /** The stack's own project directory, made ready to run; throws for a project that cannot be. */
  prepare(): Promise<string>;
  /** The policy packs its previews and ups are checked with, made ready to run; none when absent. */
  policyPacks?(): Promise<readonly PolicyPackRun[]>;
}

export interface RunContext {
  readonly job: Job;
  readonly stack: StackConfig;
  /** The Pulumi project the job runs in. */
  readonly project: ProjectSource;
  /** Read the stack's outputs after a successful update (secret ones stay masked). */
  readonly readOutputs?: boolean;
  /** Run the program sandboxed (a tenant's template). */
  readonly sandbox?: SandboxPlan;
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
  /** The job's scratch directory (see workspace/job-scratch.ts): the engine's TMPDIR, event logs. */
  readonly scratchDir: string;
  /** Every other secret the service holds (see workspace/service-secrets.ts), redacted like the stack's own. */
  readonly serviceSecrets: readonly string[];
  /** What the job does with an update plan (JobStore.requestedPlan); none for most jobs. */
  readonly plan?: JobPlan;
}

/**
 * Runs one job's operation against the real CLI — the stack set up first when needed, retried
 * while another update holds the stack — and says how it ended. Never throws: every failure
 * becomes a result.
 */
export async function runJob(ctx: RunContext): Promise<JobResult> {
  const output = new BoundedOutput();
  let environment: StackEnvironment;
  try {
    const base = stackEnvironment(ctx.stack, ctx.env, ctx.project.runtime);
    const tmp = join(ctx.scratchDir, "tmp");
    mkdirSync(tmp, { recursive: true });
    // Whatever the engine, its language host or the program leave behind goes with the job.
    environment = { ...base, env: { ...base.env, TMPDIR: tmp } };
  } catch (error) {
    if (!(error instanceof MissingSecretError)) throw error;
    return failedResult(error.message, null, null, "");
  }
  const redactor = new Redactor([...environment.secretValues, ...ctx.serviceSecrets]);
  const lines = new RedactingLines(redactor, (text) => output.append(text));
  const tally: ChangeSummary = {};
  // An up applying a plan previews first: what that preview would do is no change made.
  const counts = (event: EngineEvent) => ctx.job.operation === "preview" || !isPlannedStep(event);
  const findings: PolicyFinding[] = [];
  const onEvent = (event: EngineEvent) => {
    const recorded = summarizeEvent(event, counts(event) ? tally : undefined);
    if (recorded === undefined) return;
    const data = redactor.value(recorded.data);
    ctx.emit(recorded.kind, data);
    const finding = recorded.kind === POLICY_FINDING_EVENT ? findingOf(data) : undefined;
    if (finding !== undefined) findings.push(finding);
  };
  const processes = new EngineProcesses(ctx.job.id);
  const forceKill = () => {
    const timer = setTimeout(() => processes.killAll(), ctx.graceMs);
    timer.unref();
  };
  if (ctx.signal.aborted) forceKill();
  else ctx.signal.addEventListener("abort", forceKill, { once: true });

  let waitedMs = 0;
  let outcome:
    | { changes: ChangeSummary | null; outputs: Record<string, unknown> | null; savedPlan?: string }
    | { error: unknown }
    | undefined;
  try {
    const workDir = await ctx.project.prepare();
    const policyPacks = (await ctx.project.policyPacks?.()) ?? [];
    await ctx.setups.ensure(ctx.stack.name, setupFingerprint(workDir, ctx.stack, environment), () =>
      setUpStack(workDir, ctx.stack, environment, ctx.cli, processes),
    );
    for (let attempt = 1; ; attempt++) {
      try {
        const { changes, savedPlan, stackOutputs } = await runEngineOperation({
          operation: ctx.job.operation,
          stackName: ctx.stack.name,
          workDir,
          env: environment.env,
          cli: ctx.cli,
          processes,
          scratchDir: ctx.scratchDir,
          lines,
          onEvent,
          signal: ctx.signal,
          ...(ctx.sandbox !== undefined && { sandbox: ctx.sandbox }),
          ...(ctx.plan !== undefined && { plan: ctx.plan }),
          ...(policyPacks.length > 0 && { policyPacks }),
        });
        const outputs =
          ctx.readOutputs && ctx.job.operation !== "preview" && ctx.job.operation !== "destroy"
            ? redactor.value(
                // An up reports them; a refresh leaves the root's outputs to be read.
                (ctx.job.operation === "up" ? stackOutputs : undefined) ??
                  (await readStackOutputs(ctx.cli, processes, ctx.stack.name, workDir, environment.env)),
              )
            : null;
        outcome = { changes, outputs, ...(savedPlan !== undefined && { savedPlan }) };
        break;
      } catch (error) {
        if (!isConcurrentUpdate(error) || waitedMs >= ctx.retry.windowMs || ctx.signal.aborted) throw error;
        const delayMs = retryDelay(ctx.retry, attempt, waitedMs);
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
    const appliesPlan = ctx.plan !== undefined && "apply" in ctx.plan;
    return failedResult(
      redactor.text(
        policyViolation(findings) ??
          (appliesPlan ? planViolation(error) : undefined) ??
          describeFailure(error),
      ),
      exitCodeOf(error),
      nonEmpty(tally),
      text,
      output.truncated,
    );
  }
  return {
    status: "succeeded",
    exitCode: 0,
    error: null,
    changes: outcome.changes ?? nonEmpty(tally),
    output: text,
    outputTruncated: output.truncated,
    ...(outcome.outputs !== null && { outputs: outcome.outputs }),
    // As the engine wrote it, not redacted: a changed plan would not apply. It holds secret
    // values only encrypted (update-plan.ts).
    ...(outcome.savedPlan !== undefined && { savedPlan: outcome.savedPlan }),
  };
}
