import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { UpgradeBatch } from "../domain/upgrade";
import {
  type UpgradeBatch as UpgradeBatchMessage,
  UpgradeBatchSchema,
} from "./gen/stackwright/platform/v1/upgrades_pb";
import { toApproval, toDeployment } from "./platform-messages";
import { DEPLOYMENT_STATUS_ENUM } from "./proto-enums";

const time = (ms: number | null) => (ms === null ? undefined : timestampFromMs(ms));

/** An upgrade batch as the API shows it: its stacks' deployments as GetDeployment's, its status in their words. */
export function toUpgradeBatch(batch: UpgradeBatch): UpgradeBatchMessage {
  return create(UpgradeBatchSchema, {
    id: batch.id,
    tenantId: batch.tenantId,
    templateId: batch.templateId,
    templateName: batch.templateName,
    targetVersion: batch.targetVersion,
    failureBudget: batch.failureBudget,
    status: DEPLOYMENT_STATUS_ENUM.toProto(batch.status),
    startedBy: batch.startedBy,
    createdAt: timestampFromMs(batch.createdAt),
    finishedAt: time(batch.finishedAt),
    error: batch.error ?? "",
    stacks: batch.stacks.map((stack) => ({
      stackId: stack.stackId,
      stackName: stack.stackName,
      fromVersion: stack.fromVersion,
      planHash: stack.planHash ?? "",
      skipped: stack.skipped,
      deployment: toDeployment(stack.deployment),
    })),
    approval: batch.approval === null ? undefined : toApproval(batch.approval),
    failedStacks: [...batch.failedStacks],
    skippedStacks: [...batch.skippedStacks],
  });
}
