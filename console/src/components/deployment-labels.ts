import {
  CompensationOutcome,
  DeploymentKind,
  DeploymentStatus,
  DeploymentStepName,
  DeploymentStepStatus,
  FailurePolicy,
  JobStatus,
  Role,
} from "../api/platform";
import type { Tone } from "./StatusBadge";

// The service's words for its enums (src/jobs/domain/deployment.ts), so that the console and
// the CLI name things alike.

export const KIND_LABELS: Record<DeploymentKind, string> = {
  [DeploymentKind.UNSPECIFIED]: "operation",
  [DeploymentKind.DEPLOY]: "deploy",
  [DeploymentKind.PREVIEW]: "preview",
  [DeploymentKind.DESTROY]: "destroy",
};

export const DEPLOYMENT_STATUS: Record<DeploymentStatus, { label: string; tone: Tone }> = {
  [DeploymentStatus.UNSPECIFIED]: { label: "unknown", tone: "neutral" },
  [DeploymentStatus.RUNNING]: { label: "running", tone: "progress" },
  [DeploymentStatus.AWAITING_APPROVAL]: { label: "awaiting approval", tone: "progress" },
  [DeploymentStatus.SUCCEEDED]: { label: "succeeded", tone: "good" },
  [DeploymentStatus.FAILED]: { label: "failed", tone: "bad" },
  [DeploymentStatus.REJECTED]: { label: "rejected", tone: "bad" },
  [DeploymentStatus.EXPIRED]: { label: "expired", tone: "neutral" },
};

export const STEP_LABELS: Record<DeploymentStepName, string> = {
  [DeploymentStepName.UNSPECIFIED]: "step",
  [DeploymentStepName.VALIDATE]: "validate",
  [DeploymentStepName.PREVIEW]: "preview",
  [DeploymentStepName.APPROVAL]: "approval",
  [DeploymentStepName.UP]: "up",
  [DeploymentStepName.COMPENSATE_REFRESH]: "compensation: refresh",
  [DeploymentStepName.COMPENSATE_DESTROY]: "compensation: destroy",
  [DeploymentStepName.DESTROY]: "destroy",
  [DeploymentStepName.RECORD]: "record",
};

export const STEP_STATUS: Record<DeploymentStepStatus, { label: string; tone: Tone }> = {
  [DeploymentStepStatus.UNSPECIFIED]: { label: "unknown", tone: "neutral" },
  [DeploymentStepStatus.RUNNING]: { label: "running", tone: "progress" },
  [DeploymentStepStatus.SUCCEEDED]: { label: "succeeded", tone: "good" },
  [DeploymentStepStatus.FAILED]: { label: "failed", tone: "bad" },
};

export const JOB_STATUS_LABELS: Record<JobStatus, string> = {
  [JobStatus.UNSPECIFIED]: "unknown",
  [JobStatus.QUEUED]: "queued",
  [JobStatus.RUNNING]: "running",
  [JobStatus.SUCCEEDED]: "succeeded",
  [JobStatus.FAILED]: "failed",
  [JobStatus.CANCELED]: "canceled",
  [JobStatus.TIMED_OUT]: "timed out",
};

export const FAILURE_POLICY_LABELS: Record<FailurePolicy, string> = {
  [FailurePolicy.UNSPECIFIED]: "destroy",
  [FailurePolicy.DESTROY]: "destroy what the failed up created",
  [FailurePolicy.KEEP]: "keep what the failed up created",
};

export const COMPENSATION_LABELS: Record<CompensationOutcome, string> = {
  [CompensationOutcome.UNSPECIFIED]: "unknown",
  [CompensationOutcome.SUCCEEDED]: "compensated: what the failed up created was destroyed",
  [CompensationOutcome.FAILED]: "compensation failed",
  [CompensationOutcome.KEPT]: "kept: what the failed up created is still there",
};

export const ROLE_LABELS: Record<Role, string> = {
  [Role.UNSPECIFIED]: "unknown",
  [Role.READ_ONLY]: "Read-Only",
  [Role.USER]: "User",
  [Role.TENANT_ADMIN]: "Tenant Admin",
  [Role.PROVIDER_ADMIN]: "Provider Admin",
};

/** Whether a deployment has ended: nothing of it changes after. */
export function isFinished(status: DeploymentStatus): boolean {
  return (
    status === DeploymentStatus.SUCCEEDED ||
    status === DeploymentStatus.FAILED ||
    status === DeploymentStatus.REJECTED ||
    status === DeploymentStatus.EXPIRED
  );
}
