import { type Timestamp, timestampMs } from "@bufbuild/protobuf/wkt";
import { StackwrightInputError } from "../../core/errors";
import type { PlatformClient } from "../../jobs/api/client";
import { JobStatus } from "../../jobs/api/gen/stackwright/jobs/v1/jobs_pb";
import {
  ApprovalDecision,
  type Deployment,
  DeploymentStatus,
  type DeploymentStep,
  DeploymentStepStatus,
} from "../../jobs/api/gen/stackwright/platform/v1/platform_pb";
import {
  APPROVAL_DECISION_ENUM,
  COMPENSATION_OUTCOME_ENUM,
  DEPLOYMENT_KIND_ENUM,
  DEPLOYMENT_STATUS_ENUM,
  type EnumTable,
  FAILURE_POLICY_ENUM,
  ROLE_ENUM,
  STEP_NAME_ENUM,
  STEP_STATUS_ENUM,
} from "../../jobs/api/proto-enums";
import { TERMINAL_DEPLOYMENT_STATUSES } from "../../jobs/domain/deployment";
import { findingResourceLabel } from "../../jobs/domain/policy-pack";
import { plainText } from "../../jobs/redaction/plain-text";
import { followJob, type ProgressOutput } from "../job-progress";
import { timeText } from "../table";
import { cell } from "./output";

/**
 * Deployments as the CLI shows them, in the service's own words (`awaiting_approval`,
 * `compensate-refresh`, `tenant-admin`): the API's enums read back through the one table each has
 * (proto-enums.ts), so the CLI, the API and the service never say it two ways.
 */

const wordOf =
  <W extends string, P extends number>(table: EnumTable<W, P>) =>
  (value: P): string =>
    table.fromProto(value) ?? "unknown";

export const deploymentStatusText = wordOf(DEPLOYMENT_STATUS_ENUM);
export const deploymentKindText = wordOf(DEPLOYMENT_KIND_ENUM);
export const stepNameText = wordOf(STEP_NAME_ENUM);
export const stepStatusText = wordOf(STEP_STATUS_ENUM);
export const roleText = wordOf(ROLE_ENUM);
export const failurePolicyText = wordOf(FAILURE_POLICY_ENUM);
const outcomeText = wordOf(COMPENSATION_OUTCOME_ENUM);

/** An approval's decision; `pending` while there is none. */
export function decisionText(decision: ApprovalDecision): string {
  return decision === ApprovalDecision.UNSPECIFIED ? "pending" : wordOf(APPROVAL_DECISION_ENUM)(decision);
}

/** Whether the deployment has ended (the domain's terminal statuses); the CLI exits 1 for all but `succeeded`. */
export function isTerminal(deployment: Deployment): boolean {
  const status = DEPLOYMENT_STATUS_ENUM.fromProto(deployment.status);
  return status !== undefined && TERMINAL_DEPLOYMENT_STATUSES.has(status);
}

/** `preview succeeded job 5e0c…`: a step, its status and its job, for a table's cell. */
export function stepsText(steps: readonly DeploymentStep[]): string {
  return (
    steps
      .map((step) =>
        [stepNameText(step.name), stepStatusText(step.status), step.jobId && `job ${step.jobId}`]
          .filter((part) => part !== "")
          .join(" "),
      )
      .join(", ") || "-"
  );
}

/** A step's line as it starts or ends: `step up succeeded job 9ab1…: detail`. */
function stepLine(step: DeploymentStep, status: DeploymentStepStatus): string {
  const job = step.jobId === "" ? "" : ` job ${step.jobId}`;
  const detail =
    status !== DeploymentStepStatus.RUNNING && step.detail !== "" ? `: ${cell(step.detail)}` : "";
  return `step ${stepNameText(step.name)} ${stepStatusText(status)}${job}${detail}`;
}

/** What an approver needs, and how to decide: printed when a deployment reaches its approval gate. */
export function approvalLines(deployment: Deployment, tenant: string): string[] {
  const approval = deployment.approval;
  return [
    `deployment ${deployment.id} ${deploymentStatusText(deployment.status)}`,
    `  plan:          ${approval?.planHash ?? "-"}`,
    `  approver role: ${approval === undefined ? "-" : roleText(approval.approverRole)} (not ${cell(deployment.startedBy)}, who started it)`,
    `  expires:       ${timeText(approval?.expiresAt)}`,
    ...policyFindingLines(deployment).map((line) => `  ${line}`),
    `approve: stackwright approvals approve ${deployment.id} --tenant ${cell(tenant)} [--comment TEXT]`,
    `reject:  stackwright approvals reject ${deployment.id} --tenant ${cell(tenant)} [--comment TEXT]`,
  ];
}

/** What the policy packs reported in the preview: `policy advisory pack/policy on Type name: message`. */
export function policyFindingLines(deployment: Deployment): string[] {
  return deployment.policyFindings.map((finding) => {
    return `policy ${cell(finding.enforcement)} ${cell(finding.policyPack)}/${cell(finding.policy)} on ${cell(findingResourceLabel(finding.resource))}: ${cell(finding.message)}`;
  });
}

interface StepShown {
  started: boolean;
  ended: boolean;
  /** The job whose progress was shown. */
  job: string;
}

/**
 * Follows a deployment through WatchDeployment: each step as it starts and as it ends, with its
 * job, and the job's progress (job-progress.ts) while it runs (steps `started` shows ended already,
 * once each). Stops when the deployment ends, or
 * when it reaches its approval gate — after saying what is to be approved and how — unless
 * `waitForApproval`. Returns the deployment as it was then.
 */
export async function followDeployment(
  client: PlatformClient,
  tenant: string,
  started: Deployment,
  out: ProgressOutput,
  waitForApproval: boolean,
): Promise<Deployment> {
  // Steps that had ended before following began are shown once, ended, without their jobs' progress.
  const shown = new Map<number, StepShown>(
    started.steps
      .filter((step) => step.status !== DeploymentStepStatus.RUNNING)
      .map((step) => {
        out.log(stepLine(step, step.status));
        return [step.name, { started: true, ended: true, job: step.jobId }];
      }),
  );
  let gateShown = false;
  let current = started;
  const abort = new AbortController();

  const showStep = async (step: DeploymentStep) => {
    const state = shown.get(step.name) ?? { started: false, ended: false, job: "" };
    shown.set(step.name, state);
    // A step started again (its activity retried) shows again.
    if (!state.started || (state.ended && step.status === DeploymentStepStatus.RUNNING)) {
      out.log(stepLine(step, DeploymentStepStatus.RUNNING));
      state.started = true;
      state.ended = false;
    }
    if (step.jobId !== "" && state.job !== step.jobId) {
      state.job = step.jobId;
      const jobId = step.jobId;
      try {
        await followJob(
          {
            id: jobId,
            status: JobStatus.QUEUED,
            startedAt: Math.min(Date.now(), msOf(step.startedAt) ?? Date.now()),
            events: () => client.stacks.watchStackJob({ tenant, jobId }, { signal: abort.signal }),
            final: () => client.stacks.getStackJob({ tenant, jobId }),
          },
          out,
        );
      } catch (error) {
        // A failed job fails its step: the deployment says what follows (compensation, its end).
        if (!(error instanceof StackwrightInputError)) throw error;
      }
    }
    if (step.status !== DeploymentStepStatus.RUNNING && !state.ended) {
      out.log(stepLine(step, step.status));
      state.ended = true;
    }
  };

  try {
    for await (const snapshot of client.stacks.watchDeployment(
      { tenant, deploymentId: started.id },
      { signal: abort.signal },
    )) {
      current = snapshot;
      for (const step of snapshot.steps) await showStep(step);
      const pending =
        snapshot.status === DeploymentStatus.AWAITING_APPROVAL &&
        snapshot.approval?.decision === ApprovalDecision.UNSPECIFIED;
      if (pending && !gateShown) {
        gateShown = true;
        for (const line of approvalLines(snapshot, tenant)) out.log(line);
        if (!waitForApproval) break;
        out.log("waiting for the decision (--wait-for-approval)");
      }
    }
  } finally {
    abort.abort();
  }
  return current;
}

/** Stopped at its approval gate, the decision still to come. */
export function awaitsDecision(deployment: Deployment): boolean {
  return (
    deployment.status === DeploymentStatus.AWAITING_APPROVAL &&
    deployment.approval?.decision === ApprovalDecision.UNSPECIFIED
  );
}

/** Ends a followed deployment: its status, its compensation; throws unless it succeeded. */
export function finishDeployment(deployment: Deployment, out: ProgressOutput): void {
  // Before an approval gate they were shown with the plan.
  if (deployment.approval === undefined) for (const line of policyFindingLines(deployment)) out.log(line);
  const compensation = deployment.compensation;
  if (compensation !== undefined)
    out.log(
      `compensation: policy ${failurePolicyText(compensation.policy)}, ${outcomeText(compensation.outcome)}`,
    );
  if (deployment.status === DeploymentStatus.SUCCEEDED) {
    out.log(`deployment ${deployment.id} succeeded`);
    return;
  }
  throw StackwrightInputError.single(
    `deployment ${deployment.id}`,
    `${deploymentStatusText(deployment.status)}${deployment.error ? `: ${plainText(deployment.error)}` : ""}`,
  );
}

function msOf(timestamp: Timestamp | undefined): number | undefined {
  return timestamp === undefined ? undefined : timestampMs(timestamp);
}
