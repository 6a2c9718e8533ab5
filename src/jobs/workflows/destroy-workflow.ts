import type { DeploymentInput, DeploymentStatus } from "../domain/deployment";
import { engineSteps, records } from "./activity-proxies";

/** Destroys a tenant stack's resources; the stack ends destroyed, or failed with the engine's reason. */
export async function destroyStack(input: DeploymentInput): Promise<DeploymentStatus> {
  const { deploymentId } = input;
  const destroy = await engineSteps.runStep({ deploymentId, step: "destroy", operation: "destroy" });
  await records.finish(
    destroy.succeeded
      ? { deploymentId, status: "succeeded", stackStatus: "destroyed" }
      : { deploymentId, status: "failed", error: `destroy failed: ${destroy.error}`, stackStatus: "failed" },
  );
  return destroy.succeeded ? "succeeded" : "failed";
}
