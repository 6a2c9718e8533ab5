import { useId, useState } from "react";
import { Link } from "react-router";
import { atLeast } from "../../api/caller-role";
import type { PlatformClients } from "../../api/clients";
import { previewJobOf } from "../../api/planned-changes";
import { type Deployment, Role } from "../../api/platform";
import { problemText } from "../../api/problem";
import { stackPath } from "../../app/routes";
import { KIND_LABELS, ROLE_LABELS } from "../../components/deployment-labels";
import { ErrorNotice } from "../../components/Notice";
import { PlanDiff } from "../../components/PlanDiff";
import { PlanSummary } from "../../components/PlanSummary";
import { when } from "../../components/when";

interface Props {
  readonly clients: PlatformClients;
  readonly tenant: string;
  readonly deployment: Deployment;
  /** The caller's role in the tenant; undefined while not known. */
  readonly role: Role | undefined;
  /** The decision is recorded: `what` says which. */
  readonly onDecided: (what: string) => void;
}

/** The comment's bound, as the service checks it. */
const COMMENT_MAX = 2000;

/**
 * A deployment awaiting approval: its plan, resource by resource, and approve or reject with a comment. The buttons are
 * off for a role below the policy's approver role; whoever started the deployment may not decide
 * on it either, which only the service knows: it refuses, and its words are shown.
 */
export function ApprovalItem({ clients, tenant, deployment: d, role, onDecided }: Props) {
  const commentId = useId();
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const needed = d.approval?.approverRole ?? Role.TENANT_ADMIN;
  const mayDecide = atLeast(role, needed);
  const previewJob = previewJobOf(d);

  const decide = async (approve: boolean) => {
    setBusy(true);
    setProblem(undefined);
    try {
      const request = { tenant, deploymentId: d.id, comment: comment.trim() };
      if (approve) await clients.stacks.approveDeployment(request);
      else await clients.stacks.rejectDeployment(request);
      onDecided(`${approve ? "Approved" : "Rejected"}: the ${KIND_LABELS[d.kind]} of ${d.stackName}.`);
    } catch (error) {
      setProblem(problemText(error));
      setBusy(false);
    }
  };

  return (
    <li className="deployment" data-deployment={d.id}>
      <h2>
        {KIND_LABELS[d.kind]} of <Link to={stackPath(d.stackName)}>{d.stackName}</Link>, version{" "}
        {d.templateVersion}
      </h2>
      <p className="secondary">
        {d.id} · requested by {d.approval?.requestedBy || d.startedBy} {when(d.approval?.requestedAt)} ·
        decide by {when(d.approval?.expiresAt)} · needs a {ROLE_LABELS[needed]} or above
      </p>
      <PlanSummary deployment={d} />
      {previewJob !== undefined && <PlanDiff clients={clients} tenant={tenant} jobId={previewJob} />}
      <label htmlFor={commentId}>Comment</label>
      <textarea
        id={commentId}
        value={comment}
        maxLength={COMMENT_MAX}
        rows={2}
        onChange={(event) => setComment(event.target.value)}
      />
      {problem !== undefined && <ErrorNotice>{problem}</ErrorNotice>}
      <div className="actions">
        <button type="button" disabled={busy || !mayDecide} onClick={() => decide(true)}>
          Approve
        </button>
        <button type="button" className="danger" disabled={busy || !mayDecide} onClick={() => decide(false)}>
          Reject
        </button>
        {role !== undefined && !mayDecide && (
          <span className="notice">Deciding needs the {ROLE_LABELS[needed]} role.</span>
        )}
      </div>
    </li>
  );
}
