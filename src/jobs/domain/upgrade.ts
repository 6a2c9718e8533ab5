import type { Role } from "../../catalog/permissions";
import type { Caller } from "./caller";
import type {
  Approval,
  ApprovalDecision,
  DecisionSignal,
  Deployment,
  DeploymentStatus,
  FailurePolicy,
} from "./deployment";

/**
 * A bulk upgrade: a tenant's stacks of one template moved to a newer published version as one
 * batch. Each stack's move is a deploy deployment of its own (so the stack's history shows it);
 * the batch previews them all, is approved once, then applies them one at a time, in order, each
 * exactly its approved plan, and stops when more stacks failed than its failure budget allows.
 * Its status is a deployment's, in the same words.
 */
export interface UpgradeBatch {
  readonly id: string;
  readonly tenantId: string;
  readonly templateId: string;
  readonly templateName: string;
  readonly targetVersion: number;
  /** How many stacks may fail before the rest are left alone. */
  readonly failureBudget: number;
  readonly status: DeploymentStatus;
  readonly startedBy: string;
  readonly createdAt: number;
  readonly finishedAt: number | null;
  readonly error: string | null;
  /** In the order their ups run. */
  readonly stacks: readonly UpgradeBatchStack[];
  /**
   * The batch's one approval, once every preview ran: its plan hash is a hash of the stacks' own
   * plan hashes, in order; each stack's deployment gets the decision with its own hash.
   */
  readonly approval: Approval | null;
  /** The stacks whose preview or up failed. */
  readonly failedStacks: readonly string[];
  /** The stacks left as they were because the batch stopped (its failure budget spent). */
  readonly skippedStacks: readonly string[];
}

export interface UpgradeBatchStack {
  readonly stackId: string;
  readonly stackName: string;
  /** The version the stack had before the batch; it goes back to it when nothing was applied. */
  readonly fromVersion: number;
  /** What its preview's approval is bound to (as a deploy's): none until the preview ran. */
  readonly planHash: string | null;
  readonly skipped: boolean;
  /** The stack's deploy deployment in this batch: its steps, jobs, changes and status. */
  readonly deployment: Deployment;
}

/** What the batch's workflow is started with: everything it decides by, fixed when the batch began. */
export interface UpgradeInput {
  readonly batchId: string;
  readonly failureBudget: number;
  readonly approval: { readonly approverRole: Role; readonly timeoutMs: number };
  /** The template's failure policy for the tenant, as a deploy's. */
  readonly onFailure: FailurePolicy;
  /** In order. `firstDeploy`: the stack was never deployed, as in DeploymentInput. */
  readonly stacks: readonly { readonly deploymentId: string; readonly firstDeploy: boolean }[];
}

/** The side effects of the upgrade workflow beside a deployment's own (DeploymentActivities). */
export interface UpgradeActivities {
  /**
   * Records the previews' plan hashes and the batch's pending approval; returns the decision when
   * one was recorded already (a workflow started again after its decision was taken).
   */
  requestUpgradeApproval(request: {
    batchId: string;
    plans: readonly { deploymentId: string; planHash: string }[];
    approverRole: Role;
    timeoutMs: number;
  }): Promise<ApprovalDecision | null>;
  /** Ends the batch's pending approval as expired, unless a decision was recorded first: returns what holds. */
  expireUpgradeApproval(batchId: string): Promise<ApprovalDecision>;
  /**
   * Ends a stack's deployment that applied nothing (its preview failed, the batch was rejected or
   * stopped, its up was refused): the stack goes back to its version, parameters and status.
   */
  releaseStack(request: {
    deploymentId: string;
    status: DeploymentStatus;
    error: string;
    skipped?: boolean;
  }): Promise<void>;
  finishUpgrade(request: { batchId: string; status: DeploymentStatus; error?: string }): Promise<void>;
}

/** Starts upgrade batches' workflows and passes them approvers' decisions (src/jobs/deployments, on Temporal). */
export interface UpgradeWorkflows {
  /** Starting one already started does nothing, so it can be retried. */
  startUpgrade(input: UpgradeInput): Promise<void>;
  signalUpgradeDecision(batchId: string, decision: DecisionSignal): Promise<void>;
}

export interface StartUpgradeRequest {
  readonly tenant: string;
  readonly template: string;
  readonly version: number;
  /** Stack names, in the order to upgrade them; none: every live stack of the template below `version`, by name. */
  readonly stacks?: readonly string[];
  /** Default 0: the first failure stops the batch. */
  readonly failureBudget?: number;
}

/** Bulk upgrades, as the API offers them; permissions as for deploys (start) and approvals (decide). */
export interface UpgradesContract {
  start(caller: Caller, request: StartUpgradeRequest): Promise<UpgradeBatch>;
  get(caller: Caller, request: { tenant: string; upgradeId: string }): Promise<UpgradeBatch>;
  /** Newest first. */
  list(caller: Caller, request: { tenant: string; limit?: number }): Promise<UpgradeBatch[]>;
  decide(
    caller: Caller,
    request: { tenant: string; upgradeId: string; decision: "approved" | "rejected"; comment?: string },
  ): Promise<UpgradeBatch>;
}
