import type { DeploymentInput, DeploymentStatus } from "../domain/deployment";
import { engineSteps, records } from "./activity-proxies";

/**
 * Ends a deployment whose up ran and failed, per its failure policy: what a first deploy created
 * is refreshed, then destroyed, unless the policy keeps it; a stack deployed before keeps what it
 * has. The deploy and the upgrade workflows end their failed ups alike.
 */
export async function endFailedUp(
  deploymentId: string,
  policy: Pick<DeploymentInput, "onFailure" | "firstDeploy">,
  upError: string | null,
): Promise<DeploymentStatus> {
  const error = `up failed: ${upError}`;
  if (policy.onFailure === "keep" || !policy.firstDeploy) {
    await records.finish({
      deploymentId,
      status: "failed",
      error,
      stackStatus: "failed",
      compensation: { policy: policy.onFailure, outcome: "kept" },
    });
    return "failed";
  }
  const compensated = await compensate(deploymentId);
  await records.finish({
    deploymentId,
    status: "failed",
    error: compensated
      ? `${error}; compensation destroyed what it created`
      : `${error}; compensation failed: see its steps`,
    stackStatus: "failed",
    compensation: { policy: "destroy", outcome: compensated ? "succeeded" : "failed" },
  });
  return "failed";
}

/** Refresh (so the state knows what the failed up left), then destroy it. */
async function compensate(deploymentId: string): Promise<boolean> {
  const refresh = await engineSteps.runStep({
    deploymentId,
    step: "compensate-refresh",
    operation: "refresh",
  });
  if (!refresh.succeeded) return false;
  const destroy = await engineSteps.runStep({
    deploymentId,
    step: "compensate-destroy",
    operation: "destroy",
  });
  return destroy.succeeded;
}
