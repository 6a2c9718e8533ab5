import { createHash } from "node:crypto";
import { ApplicationFailure } from "@temporalio/activity";
import type { ApprovalDecision } from "../domain/deployment";
import type { UpgradeActivities } from "../domain/upgrade";
import { recordAudit } from "../store/audit-log";
import { DeploymentStore } from "../store/deployment-store";
import type { SqlDatabase } from "../store/sql-database";
import { UpgradeStore } from "../store/upgrade-store";

/** What the batch's approval is bound to: its stacks' plan hashes, in the order they apply. */
export function batchPlanHash(planHashes: readonly string[]): string {
  return `sha256:${createHash("sha256").update(planHashes.join("\n")).digest("hex")}`;
}

/**
 * The upgrade workflow's own activities (its stacks' steps are the deployments' activities). Each
 * is safe to run again: a recorded approval, decision, release or end is not recorded twice.
 */
export function upgradeActivities(db: SqlDatabase): UpgradeActivities {
  const batchOf = async (batchId: string) => {
    const batch = await new UpgradeStore(db).get(batchId);
    if (batch === undefined) throw ApplicationFailure.nonRetryable(`no upgrade batch ${batchId}`);
    return batch;
  };

  return {
    async requestUpgradeApproval(request) {
      const batch = await batchOf(request.batchId);
      return db.transaction(async (tx) => {
        await tx.serialize(`upgrade:${batch.id}`);
        const store = new UpgradeStore(tx);
        // A workflow started again (reconcile) asks again: a decision recorded meanwhile stands.
        const recorded = (await store.get(batch.id))?.approval?.decision ?? null;
        if (recorded !== null) return recorded;
        const deployments = new DeploymentStore(tx);
        const planHash = batchPlanHash(request.plans.map((plan) => plan.planHash));
        await store.requestApproval(batch.id, {
          planHash,
          approverRole: request.approverRole,
          expiresAt: Date.now() + request.timeoutMs,
        });
        for (const plan of request.plans) {
          await store.setPlanHash(plan.deploymentId, plan.planHash);
          if ((await deployments.step(plan.deploymentId, "approval")) === undefined)
            await deployments.startStep(plan.deploymentId, "approval", null);
          await deployments.setStatus(plan.deploymentId, "awaiting_approval");
        }
        if (await store.setStatus(batch.id, "awaiting_approval"))
          await recordAudit(tx, {
            actor: "service",
            tenantId: batch.tenantId,
            action: "upgrade.approval.requested",
            target: `upgrade:${batch.id}`,
            before: null,
            after: { planHash, approverRole: request.approverRole, stacks: request.plans.length },
          });
        return null;
      });
    },

    async expireUpgradeApproval(batchId): Promise<ApprovalDecision> {
      return db.transaction(async (tx) => {
        await tx.serialize(`upgrade:${batchId}`);
        const store = new UpgradeStore(tx);
        if (await store.decide(batchId, "expired", null, null)) {
          const batch = (await store.get(batchId)) ?? (await batchOf(batchId));
          await store.decideStacks(batch, "expired", null, null);
          await recordAudit(tx, {
            actor: "service",
            tenantId: batch.tenantId,
            action: "upgrade.approval.expired",
            target: `upgrade:${batchId}`,
            before: null,
            after: null,
          });
          return "expired";
        }
        return (await store.get(batchId))?.approval?.decision ?? "expired";
      });
    },

    async releaseStack(request) {
      const deployment = await new DeploymentStore(db).get(request.deploymentId);
      if (deployment === undefined)
        throw ApplicationFailure.nonRetryable(`no deployment ${request.deploymentId}`);
      await db.transaction(async (tx) => {
        const deployments = new DeploymentStore(tx);
        if (!(await deployments.setStatus(request.deploymentId, request.status, { error: request.error })))
          return;
        const store = new UpgradeStore(tx);
        if (request.skipped === true) await store.markSkipped(request.deploymentId);
        // A step left running (the approval a stopped batch never reached) ends with the deployment.
        for (const step of deployment.steps)
          if (step.status === "running")
            await deployments.endStep(request.deploymentId, step.name, "failed", request.error);
        await store.restoreStack(request.deploymentId, deployment.priorStackStatus);
        await recordAudit(tx, {
          actor: "service",
          tenantId: deployment.tenantId,
          action: `deployment.${request.status}`,
          target: `stack:${deployment.stackId}`,
          before: { status: deployment.status },
          after: {
            deployment: deployment.id,
            kind: deployment.kind,
            status: request.status,
            stack: deployment.priorStackStatus,
            error: request.error,
            upgrade: await store.batchOfDeployment(deployment.id),
            restored: true,
          },
        });
      });
    },

    async finishUpgrade(request) {
      const batch = await batchOf(request.batchId);
      // The stacks are named in the error itself: whoever reads only that knows where to look.
      const named = [
        batch.failedStacks.length > 0 && `failed: ${batch.failedStacks.join(", ")}`,
        batch.skippedStacks.length > 0 && `not touched: ${batch.skippedStacks.join(", ")}`,
      ].filter((part): part is string => part !== false);
      const error =
        request.error === undefined || named.length === 0
          ? request.error
          : `${request.error} (${named.join("; ")})`;
      await db.transaction(async (tx) => {
        if (!(await new UpgradeStore(tx).setStatus(batch.id, request.status, error))) return;
        await recordAudit(tx, {
          actor: "service",
          tenantId: batch.tenantId,
          action: `upgrade.${request.status}`,
          target: `upgrade:${batch.id}`,
          before: { status: batch.status },
          after: {
            status: request.status,
            ...(error !== undefined && { error }),
            failedStacks: batch.failedStacks,
            skippedStacks: batch.skippedStacks,
          },
        });
      });
    },
  };
}
