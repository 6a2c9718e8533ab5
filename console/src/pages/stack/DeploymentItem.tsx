import { useState } from "react";
import type { PlatformClients } from "../../api/clients";
import { previewJobOf } from "../../api/planned-changes";
import { ApprovalDecision, type Deployment, DeploymentStepStatus } from "../../api/platform";
import {
  COMPENSATION_LABELS,
  DEPLOYMENT_STATUS,
  FAILURE_POLICY_LABELS,
  KIND_LABELS,
  ROLE_LABELS,
  STEP_LABELS,
  STEP_STATUS,
} from "../../components/deployment-labels";
import { ListTable } from "../../components/ListTable";
import { PlanDiff } from "../../components/PlanDiff";
import { PlanSummary } from "../../components/PlanSummary";
import { Badge } from "../../components/StatusBadge";
import { duration, when } from "../../components/when";
import { JobEvents } from "./JobEvents";

interface Props {
  readonly clients: PlatformClients;
  readonly tenant: string;
  readonly deployment: Deployment;
}

const STEP_COLUMNS = ["Step", "Status", "Started", "Took", "Job", "Detail"];

/** One deployment of the stack's history: its steps with their times and jobs, and what it ended with. */
export function DeploymentItem({ clients, tenant, deployment: d }: Props) {
  const status = DEPLOYMENT_STATUS[d.status];
  const running = d.steps.find((s) => s.status === DeploymentStepStatus.RUNNING && s.jobId !== "");
  const headingId = `deployment-${d.id}`;
  return (
    <li className="deployment" data-deployment={d.id}>
      <h3 id={headingId}>
        {KIND_LABELS[d.kind]} of version {d.templateVersion} <Badge label={status.label} tone={status.tone} />
      </h3>
      <p className="secondary">
        {d.id} · started {when(d.createdAt)} by {d.startedBy}
        {d.finishedAt !== undefined && ` · ended ${when(d.finishedAt)}`}
      </p>
      {d.error !== "" && <p className="notice-error">{d.error}</p>}
      <PlanSummary deployment={d} />
      <PlannedChanges clients={clients} tenant={tenant} deployment={d} />
      {d.approval !== undefined && (
        <p>
          Approval by a {ROLE_LABELS[d.approval.approverRole]} or above
          {d.approval.decision === ApprovalDecision.UNSPECIFIED
            ? `, until ${when(d.approval.expiresAt)}`
            : `: ${ApprovalDecision[d.approval.decision].toLowerCase()} by ${d.approval.decidedBy || "the service"} ${when(d.approval.decidedAt)}`}
          {d.approval.comment !== "" && ` (“${d.approval.comment}”)`}
        </p>
      )}
      {d.compensation !== undefined && (
        <p>
          Failure policy: {FAILURE_POLICY_LABELS[d.compensation.policy]};{" "}
          {COMPENSATION_LABELS[d.compensation.outcome]}.
        </p>
      )}
      <ListTable caption={`Steps of deployment ${d.id}`} columns={STEP_COLUMNS}>
        {d.steps.map((step, i) => {
          const s = STEP_STATUS[step.status];
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: a step may run twice; its place is its identity
            <tr key={i} data-step={STEP_LABELS[step.name]}>
              <th scope="row">{STEP_LABELS[step.name]}</th>
              <td>
                <Badge label={s.label} tone={s.tone} />
              </td>
              <td>{when(step.startedAt)}</td>
              <td>{duration(step.startedAt, step.finishedAt)}</td>
              <td>{step.jobId === "" ? "" : <code>{step.jobId}</code>}</td>
              <td>{step.detail}</td>
            </tr>
          );
        })}
      </ListTable>
      {running !== undefined && <JobEvents clients={clients} tenant={tenant} jobId={running.jobId} />}
    </li>
  );
}

/** The preview's plan resource by resource, read only when asked for: most of a history is old news. */
function PlannedChanges({ clients, tenant, deployment }: Props) {
  const [open, setOpen] = useState(false);
  const jobId = previewJobOf(deployment);
  if (jobId === undefined) return null;
  return (
    <details className="planned-changes" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>Planned changes</summary>
      {open && <PlanDiff clients={clients} tenant={tenant} jobId={jobId} />}
    </details>
  );
}
