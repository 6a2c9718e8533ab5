import type { Role } from "../../catalog/permissions";
import type { ChangeSummary, Operation } from "./job";
import type { PolicyFinding } from "./policy-pack";
import type { TenantStackStatus } from "./tenant-stack";

/**
 * A deployment: one run of a tenant stack's durable workflow (deploy, preview or destroy), as the
 * service records it — its steps with their jobs and times, the approval it waited for, the
 * compensation it ran. The same status words are used by the API, its events and the CLI.
 */

export const DEPLOYMENT_KINDS = ["deploy", "preview", "destroy"] as const;
export type DeploymentKind = (typeof DEPLOYMENT_KINDS)[number];

export const DEPLOYMENT_STATUSES = [
  "running",
  "awaiting_approval",
  "succeeded",
  "failed",
  "rejected",
  "expired",
] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

export const TERMINAL_DEPLOYMENT_STATUSES: ReadonlySet<DeploymentStatus> = new Set([
  "succeeded",
  "failed",
  "rejected",
  "expired",
]);

export const STEP_NAMES = [
  "validate",
  "preview",
  "approval",
  "up",
  "compensate-refresh",
  "compensate-destroy",
  "destroy",
  "record",
] as const;
export type StepName = (typeof STEP_NAMES)[number];

export const STEP_STATUSES = ["running", "succeeded", "failed"] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export interface DeploymentStep {
  readonly name: StepName;
  readonly status: StepStatus;
  readonly startedAt: number;
  readonly finishedAt: number | null;
  /** The job of the job service that ran this step's engine operation, if it has one. */
  readonly jobId: string | null;
  /** Why it failed, or what it found (a refused plan, an approval's decision). */
  readonly detail: string | null;
}

export const APPROVAL_DECISIONS = ["approved", "rejected", "expired"] as const;
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];

export interface Approval {
  /** What was approved: a hash of the template version, the parameters and the saved plan. */
  readonly planHash: string;
  /** The least role an approver holds in the stack's tenant. */
  readonly approverRole: Role;
  readonly requestedBy: string;
  readonly requestedAt: number;
  readonly expiresAt: number;
  readonly decision: ApprovalDecision | null;
  readonly decidedBy: string | null;
  readonly decidedAt: number | null;
  readonly comment: string | null;
}

/** What the workflow does when its `up` fails: destroy what a first deploy created, or keep it. */
export const FAILURE_POLICIES = ["destroy", "keep"] as const;
export type FailurePolicy = (typeof FAILURE_POLICIES)[number];

export interface Compensation {
  readonly policy: FailurePolicy;
  /** `kept`: the policy kept what the failed up created; otherwise how the refresh and destroy ended. */
  readonly outcome: "succeeded" | "failed" | "kept";
}

export interface Deployment {
  readonly id: string;
  readonly tenantId: string;
  readonly stackId: string;
  /** The stack's name, for whoever reads the deployment (an approver's list, a history). */
  readonly stackName: string;
  readonly kind: DeploymentKind;
  readonly status: DeploymentStatus;
  readonly templateVersion: number;
  /** The stack's status before the deployment moved it; restored when nothing was applied. */
  readonly priorStackStatus: TenantStackStatus;
  readonly startedBy: string;
  readonly createdAt: number;
  readonly finishedAt: number | null;
  readonly error: string | null;
  /** The preview's resource changes, once it ran. */
  readonly changes: ChangeSummary | null;
  /** What the policy packs reported in the preview (mandatory ones stopped it); null before it ran. */
  readonly policyFindings: readonly PolicyFinding[] | null;
  readonly steps: readonly DeploymentStep[];
  readonly approval: Approval | null;
  readonly compensation: Compensation | null;
  /** What its workflow was started with; none until it was. */
  readonly input: DeploymentInput | null;
}

/** Who must approve a tenant's deploys of a template, for how long they may wait, and what a failure does. */
export interface DeployPolicy {
  readonly requireApproval: boolean;
  readonly approverRole: Role;
  readonly approvalTimeoutMs: number;
  readonly onFailure: FailurePolicy;
}

export const DEPLOY_POLICY_SCOPES = ["template", "tenant"] as const;
export type DeployPolicyScope = (typeof DEPLOY_POLICY_SCOPES)[number];

/** What a workflow is started with: everything it decides by, fixed when the deployment began. */
export interface DeploymentInput {
  readonly deploymentId: string;
  readonly kind: DeploymentKind;
  /** The approval gate, when the template or tenant asks for one. */
  readonly approval: { readonly approverRole: Role; readonly timeoutMs: number } | null;
  readonly onFailure: FailurePolicy;
  /** The stack was never deployed before: a failed up leaves only what it created itself. */
  readonly firstDeploy: boolean;
}

/** How a step's job ended, as the workflow sees it (never the job's output: that stays in the service). */
export interface StepOutcome {
  readonly jobId: string | null;
  readonly succeeded: boolean;
  readonly error: string | null;
  /** After a preview that saved a plan: the hash an approval is bound to. */
  readonly planHash?: string;
}

export interface RunStepRequest {
  readonly deploymentId: string;
  readonly step: StepName;
  readonly operation: Operation;
  /** `save`: a preview that saves its plan; `apply`: an up of exactly the plan bound to `planHash`. */
  readonly plan?:
    | { readonly save: true }
    | { readonly apply: { readonly previewStep: StepName; readonly planHash: string } };
}

export interface FinishRequest {
  readonly deploymentId: string;
  readonly status: DeploymentStatus;
  readonly error?: string;
  /** The step whose job's outputs become the stack's (a succeeded up). */
  readonly outputsFrom?: StepName;
  /** What becomes of the stack; none: it goes back to its status before the deployment. */
  readonly stackStatus?: TenantStackStatus;
  readonly compensation?: Compensation;
}

/**
 * The side effects a deployment workflow asks for, each an activity: the workflow itself only
 * decides (see src/jobs/workflows), the service's stores and the job service do.
 */
export interface DeploymentActivities {
  /** Checks again what the request was checked against: the version still published, the tenant allowed, the parameters valid. */
  validateDeployment(deploymentId: string): Promise<void>;
  /** Runs the step's engine operation as a job (once, however often it is retried) and waits for it. */
  runStep(request: RunStepRequest): Promise<StepOutcome>;
  /** Records the pending approval: the deployment waits, listed among the tenant's pending approvals. */
  requestApproval(request: {
    deploymentId: string;
    planHash: string;
    approverRole: Role;
    timeoutMs: number;
  }): Promise<void>;
  /** Ends a pending approval as expired, unless a decision was recorded first: returns what holds. */
  expireApproval(deploymentId: string): Promise<ApprovalDecision>;
  /** Records the step's start or end, for steps without a job (validate, approval, record). */
  markStep(request: {
    deploymentId: string;
    step: StepName;
    status: StepStatus;
    detail?: string;
  }): Promise<void>;
  finish(request: FinishRequest): Promise<void>;
}

/** The signal an approver's decision reaches the workflow by, once the service has recorded it. */
export const DECISION_SIGNAL = "decision";
export interface DecisionSignal {
  readonly decision: "approved" | "rejected";
}

/**
 * Starts deployments' workflows and passes them approvers' decisions: the service's side of the
 * workflow engine (src/jobs/deployments implements it on Temporal).
 */
export interface DeploymentWorkflows {
  /** Starts the deployment's workflow; starting one already started does nothing, so it can be retried. */
  start(input: DeploymentInput): Promise<void>;
  /** Tells a waiting deployment the decision the service has recorded. */
  signalDecision(deploymentId: string, decision: DecisionSignal): Promise<void>;
}
