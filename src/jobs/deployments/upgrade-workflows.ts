import { type Client, WorkflowExecutionAlreadyStartedError } from "@temporalio/client";
import { DECISION_SIGNAL } from "../domain/deployment";
import type { UpgradeWorkflows } from "../domain/upgrade";

/** The workflow id of an upgrade batch: one workflow per batch, whoever starts it. */
export const upgradeWorkflowIdOf = (batchId: string) => `stackwright-upgrade-${batchId}`;

/** Upgrade batches' workflows on Temporal, through the deployments' client and task queue. */
export function upgradeWorkflowsOn(client: Client, taskQueue: string): UpgradeWorkflows {
  return {
    async startUpgrade(input) {
      try {
        await client.workflow.start("upgradeStacks", {
          taskQueue,
          workflowId: upgradeWorkflowIdOf(input.batchId),
          args: [input],
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
    },
    async signalUpgradeDecision(batchId, decision) {
      await client.workflow.getHandle(upgradeWorkflowIdOf(batchId)).signal(DECISION_SIGNAL, decision);
    },
  };
}
