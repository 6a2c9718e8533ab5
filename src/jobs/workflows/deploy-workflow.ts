import { condition, defineSignal, setHandler } from "@temporalio/workflow";
import {
  type ApprovalDecision,
  DECISION_SIGNAL,
  type DecisionSignal,
  type DeploymentInput,
  type DeploymentStatus,
} from "../domain/deployment";
import { engineSteps, failureMessage, records } from "./activity-proxies";
import { endFailedUp } from "./failed-up";

export const decisionSignal = defineSignal<[DecisionSignal]>(DECISION_SIGNAL);

/**
 * Deploys a tenant stack: validate → preview saving its plan → the approval gate, when asked for →
 * up of exactly that plan → record. A failed up of a first deploy is compensated per the template's
 * policy: refresh, then destroy what it created (failed-up.ts).
 */
export async function deployStack(input: DeploymentInput): Promise<DeploymentStatus> {
  const { deploymentId } = input;
  let decision: "approved" | "rejected" | undefined;
  // Set before anything else: a decision signalled while an activity runs is not lost.
  setHandler(decisionSignal, (signal) => {
    decision = signal.decision;
  });

  await records.markStep({ deploymentId, step: "validate", status: "running" });
  try {
    await records.validateDeployment(deploymentId);
  } catch (error) {
    const detail = failureMessage(error);
    await records.markStep({ deploymentId, step: "validate", status: "failed", detail });
    await records.finish({ deploymentId, status: "failed", error: detail, stackStatus: "failed" });
    return "failed";
  }
  await records.markStep({ deploymentId, step: "validate", status: "succeeded" });

  const preview = await engineSteps.runStep({
    deploymentId,
    step: "preview",
    operation: "preview",
    plan: { save: true },
  });
  if (!preview.succeeded || preview.planHash === undefined) {
    await records.finish({
      deploymentId,
      status: "failed",
      error: `preview failed: ${preview.error}`,
      stackStatus: "failed",
    });
    return "failed";
  }

  if (input.approval !== null) {
    await records.requestApproval({
      deploymentId,
      planHash: preview.planHash,
      approverRole: input.approval.approverRole,
      timeoutMs: input.approval.timeoutMs,
    });
    let outcome: ApprovalDecision | undefined;
    if (await condition(() => decision !== undefined, input.approval.timeoutMs)) outcome = decision;
    // Timed out: the service's record decides, in case a decision was recorded as time ran out.
    else outcome = await records.expireApproval(deploymentId);
    if (outcome !== "approved") {
      await records.finish({
        deploymentId,
        status: outcome === "rejected" ? "rejected" : "expired",
        error: outcome === "rejected" ? "the plan was rejected" : "no one approved the plan in time",
      });
      return outcome === "rejected" ? "rejected" : "expired";
    }
  }

  const up = await engineSteps.runStep({
    deploymentId,
    step: "up",
    operation: "up",
    plan: { apply: { previewStep: "preview", planHash: preview.planHash } },
  });
  if (up.succeeded) {
    await records.finish({
      deploymentId,
      status: "succeeded",
      outputsFrom: "up",
      stackStatus: "deployed",
    });
    return "succeeded";
  }
  // Refused before the engine ran (the plan changed since it was approved): nothing was applied.
  if (up.jobId === null) {
    await records.finish({ deploymentId, status: "failed", error: up.error ?? "the up was refused" });
    return "failed";
  }
  return endFailedUp(deploymentId, input, up.error);
}
