import type { DeploymentInput, DeploymentStatus } from "../domain/deployment";
import { engineSteps, records } from "./activity-proxies";

/** Previews a tenant stack as it stands: what an update would change. The stack itself is untouched. */
export async function previewStack(input: DeploymentInput): Promise<DeploymentStatus> {
  const { deploymentId } = input;
  const preview = await engineSteps.runStep({ deploymentId, step: "preview", operation: "preview" });
  await records.finish({
    deploymentId,
    status: preview.succeeded ? "succeeded" : "failed",
    ...(!preview.succeeded && { error: `preview failed: ${preview.error}` }),
  });
  return preview.succeeded ? "succeeded" : "failed";
}
