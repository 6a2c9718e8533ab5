import { condition, proxyActivities, setHandler } from "@temporalio/workflow";
import type { ApprovalDecision, DeploymentStatus } from "../domain/deployment";
import type { UpgradeActivities, UpgradeInput } from "../domain/upgrade";
import { engineSteps, failureMessage, records } from "./activity-proxies";
import { decisionSignal } from "./deploy-workflow";
import { endFailedUp } from "./failed-up";

/** The batch's bookkeeping: the service's database only, as `records`. */
const batches = proxyActivities<UpgradeActivities>({
  startToCloseTimeout: "1 minute",
  retry: { initialInterval: "1 second", maximumInterval: "30 seconds", backoffCoefficient: 2 },
});

/**
 * Upgrades a batch of stacks to a template's newer version: every stack validated and previewed
 * (saving its plan, as a deploy does) → one approval of the whole batch → an up of each stack in
 * order, exactly its approved plan. A failed preview or up counts against the failure budget; once
 * more stacks failed than it allows, the stacks still to go are left as they were.
 */
export async function upgradeStacks(input: UpgradeInput): Promise<DeploymentStatus> {
  const { batchId, failureBudget } = input;
  let decision: "approved" | "rejected" | undefined;
  // Set before anything else: a decision signalled while an activity runs is not lost.
  setHandler(decisionSignal, (signal) => {
    decision = signal.decision;
  });

  // Previews apply nothing, so they run together; the ups are what runs in order.
  const planHashes = await Promise.all(input.stacks.map((stack) => previewed(stack.deploymentId)));
  const previewFailures = planHashes.filter((hash) => hash === undefined).length;
  const ready = input.stacks.flatMap((stack, i) => {
    const planHash = planHashes[i];
    return planHash === undefined ? [] : [{ ...stack, planHash }];
  });

  if (previewFailures > failureBudget || ready.length === 0) {
    const over = ready.length === 0 ? "" : `, over the failure budget of ${failureBudget}`;
    const error = `${previewFailures} of ${input.stacks.length} previews failed${over}: nothing was applied`;
    for (const stack of ready) await skip(stack.deploymentId, error);
    return end("failed", error);
  }

  const recorded = await batches.requestUpgradeApproval({
    batchId,
    plans: ready.map(({ deploymentId, planHash }) => ({ deploymentId, planHash })),
    approverRole: input.approval.approverRole,
    timeoutMs: input.approval.timeoutMs,
  });
  let outcome: ApprovalDecision | undefined;
  // Started again after the decision was recorded: its signal went to the workflow that is gone.
  if (recorded !== null) outcome = recorded;
  else if (await condition(() => decision !== undefined, input.approval.timeoutMs)) outcome = decision;
  // Timed out: the service's record decides, in case a decision was recorded as time ran out.
  else outcome = await batches.expireUpgradeApproval(batchId);
  if (outcome !== "approved") {
    const status = outcome === "rejected" ? "rejected" : "expired";
    const error =
      status === "rejected" ? "the upgrade batch was rejected" : "no one approved the upgrade batch in time";
    for (const stack of ready)
      await batches.releaseStack({ deploymentId: stack.deploymentId, status, error });
    return end(status, error);
  }

  let failures = previewFailures;
  for (const stack of ready) {
    if (failures > failureBudget) {
      await skip(
        stack.deploymentId,
        `not applied: the upgrade batch stopped, more stacks failed than its failure budget of ${failureBudget} allows`,
      );
      continue;
    }
    if ((await applied(stack, input)) !== "succeeded") failures++;
  }
  const failed = `${failures} of ${input.stacks.length} stacks failed`;
  if (failures > failureBudget)
    return end("failed", `${failed}, over the failure budget of ${failureBudget}`);
  return end("succeeded", failures === 0 ? undefined : `${failed}, within the failure budget`);

  async function end(status: DeploymentStatus, error?: string): Promise<DeploymentStatus> {
    await batches.finishUpgrade({ batchId, status, ...(error !== undefined && { error }) });
    return status;
  }
}

/** Validates and previews a stack at the batch's version; its plan hash, or none when either failed. */
async function previewed(deploymentId: string): Promise<string | undefined> {
  await records.markStep({ deploymentId, step: "validate", status: "running" });
  try {
    await records.validateDeployment(deploymentId);
  } catch (error) {
    const detail = failureMessage(error);
    await records.markStep({ deploymentId, step: "validate", status: "failed", detail });
    await batches.releaseStack({ deploymentId, status: "failed", error: detail });
    return undefined;
  }
  await records.markStep({ deploymentId, step: "validate", status: "succeeded" });
  const preview = await engineSteps.runStep({
    deploymentId,
    step: "preview",
    operation: "preview",
    plan: { save: true },
  });
  if (preview.succeeded && preview.planHash !== undefined) return preview.planHash;
  await batches.releaseStack({ deploymentId, status: "failed", error: `preview failed: ${preview.error}` });
  return undefined;
}

/** Applies a stack's approved plan, ending its deployment as a deploy's up ends. */
async function applied(
  stack: { deploymentId: string; planHash: string; firstDeploy: boolean },
  input: UpgradeInput,
): Promise<DeploymentStatus> {
  const { deploymentId } = stack;
  const up = await engineSteps.runStep({
    deploymentId,
    step: "up",
    operation: "up",
    plan: { apply: { previewStep: "preview", planHash: stack.planHash } },
  });
  if (up.succeeded) {
    await records.finish({ deploymentId, status: "succeeded", outputsFrom: "up", stackStatus: "deployed" });
    return "succeeded";
  }
  // Refused before the engine ran (the plan changed since it was approved): nothing was applied.
  if (up.jobId === null) {
    await batches.releaseStack({ deploymentId, status: "failed", error: up.error ?? "the up was refused" });
    return "failed";
  }
  return endFailedUp(deploymentId, { onFailure: input.onFailure, firstDeploy: stack.firstDeploy }, up.error);
}

function skip(deploymentId: string, error: string): Promise<void> {
  return batches.releaseStack({ deploymentId, status: "failed", error, skipped: true });
}
