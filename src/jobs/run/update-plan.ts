import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { JobPlan } from "../domain/job";

/** How one engine run saves or applies a job's update plan. */
export interface PlanRun {
  /** The CLI's arguments for the operation, in place of its usual ones. */
  readonly operationArgs: readonly string[];
  /** Added to the engine's environment for this run only. */
  readonly env: NodeJS.ProcessEnv;
  /** After the engine succeeded: the plan it saved, for a save; undefined for an apply. */
  savedPlan(): string | undefined;
}

/**
 * `--plan` is an experimental flag in Pulumi 3.259 (hidden unless PULUMI_EXPERIMENTAL is set), and
 * plans themselves are the engine's experimental feature: both plan runs opt in, and only they.
 */
const EXPERIMENTAL_PLANS: NodeJS.ProcessEnv = { PULUMI_EXPERIMENTAL: "true" };

/**
 * The run of `plan` with its file in `dir` (the engine run's own directory in the job's scratch,
 * private to the service's user, writable in the sandbox, removed after the run). Never
 * `--show-secrets`: the plan keeps secret values encrypted by the stack's secrets manager, so its
 * text can be stored and shown to approvers.
 */
export function planRun(plan: JobPlan, dir: string): PlanRun {
  const file = join(dir, "plan.json");
  if ("save" in plan)
    return {
      operationArgs: ["preview", "--save-plan", file],
      env: EXPERIMENTAL_PLANS,
      savedPlan: () => readFileSync(file, "utf8"),
    };
  writeFileSync(file, plan.apply, { mode: 0o600, flag: "wx" });
  return {
    // Not --skip-preview, unlike a plain up: the engine checks each step against the plan only as
    // it comes to it, so without a preview an up that leaves its plan has already applied every
    // step before the first one it refuses. The preview runs against the plan too, and refuses
    // before anything changes.
    operationArgs: ["up", "--yes", "--plan", file],
    env: EXPERIMENTAL_PLANS,
    savedPlan: () => undefined,
  };
}
