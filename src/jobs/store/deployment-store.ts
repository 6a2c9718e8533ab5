import { randomUUID } from "node:crypto";
import { isRole, type Role } from "../../catalog/permissions";
import {
  type Approval,
  type ApprovalDecision,
  type Compensation,
  DEPLOYMENT_STATUSES,
  type Deployment,
  type DeploymentInput,
  type DeploymentKind,
  type DeploymentStatus,
  type DeploymentStep,
  type DeployPolicy,
  type DeployPolicyScope,
  type FailurePolicy,
  type StepName,
  type StepStatus,
  TERMINAL_DEPLOYMENT_STATUSES,
} from "../domain/deployment";
import type { ChangeSummary } from "../domain/job";
import type { PolicyFinding } from "../domain/policy-pack";
import type { TenantStackStatus } from "../domain/tenant-stack";
import type { Row, SqlExecutor } from "./sql-database";

export interface NewDeployment {
  readonly tenantId: string;
  readonly stackId: string;
  readonly kind: DeploymentKind;
  readonly templateVersion: number;
  readonly priorStackStatus: TenantStackStatus;
  readonly startedBy: string;
}

/** The statuses of a deployment (or a batch) still under way, as an SQL list: not terminal. */
export const OPEN_STATUSES = `(${DEPLOYMENT_STATUSES.filter(
  (status) => !TERMINAL_DEPLOYMENT_STATUSES.has(status),
)
  .map((status) => `'${status}'`)
  .join(", ")})`;

/** Deployments, their steps and approvals, and deploy policies, in SQL. */
export class DeploymentStore {
  constructor(private readonly db: SqlExecutor) {}

  async create(deployment: NewDeployment, now = Date.now()): Promise<string> {
    const id = randomUUID();
    await this.db.run(
      `INSERT INTO deployments (id, tenant_id, stack_id, kind, status, template_version, prior_stack_status,
         started_by, created_at)
       VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?)`,
      [
        id,
        deployment.tenantId,
        deployment.stackId,
        deployment.kind,
        deployment.templateVersion,
        deployment.priorStackStatus,
        deployment.startedBy,
        now,
      ],
    );
    return id;
  }

  async get(id: string): Promise<Deployment | undefined> {
    const [row] = await this.db.query("SELECT * FROM deployments WHERE id = ?", [id]);
    if (row === undefined) return undefined;
    return this.assemble(row);
  }

  /** A stack's deployments, newest first. */
  async ofStack(stackId: string, limit: number, before?: number): Promise<Deployment[]> {
    const rows = await this.db.query(
      `SELECT * FROM deployments WHERE stack_id = ? AND created_at < ? ORDER BY created_at DESC, id LIMIT ?`,
      [stackId, before ?? Number.MAX_SAFE_INTEGER, limit],
    );
    return Promise.all(rows.map((row) => this.assemble(row)));
  }

  /** Deployments not yet ended: the ones whose workflows must be running. */
  async open(): Promise<Deployment[]> {
    const rows = await this.db.query(`SELECT * FROM deployments WHERE status IN ${OPEN_STATUSES}`);
    return Promise.all(rows.map((row) => this.assemble(row)));
  }

  /** The step's row; its job id, once it has one, is what makes re-running a step await the same job. */
  async step(deploymentId: string, name: StepName): Promise<DeploymentStep | undefined> {
    const [row] = await this.db.query("SELECT * FROM deployment_steps WHERE deployment_id = ? AND name = ?", [
      deploymentId,
      name,
    ]);
    return row === undefined ? undefined : toStep(row);
  }

  /** Starts a step (again): running, with its job when it has one. */
  async startStep(
    deploymentId: string,
    name: StepName,
    jobId: string | null,
    now = Date.now(),
  ): Promise<void> {
    const changed = await this.db.run(
      `UPDATE deployment_steps SET status = 'running', started_at = ?, finished_at = NULL, job_id = ?, detail = NULL
       WHERE deployment_id = ? AND name = ?`,
      [now, jobId, deploymentId, name],
    );
    if (changed === 0)
      await this.db.run(
        "INSERT INTO deployment_steps (deployment_id, name, status, started_at, job_id) VALUES (?, ?, 'running', ?, ?)",
        [deploymentId, name, now, jobId],
      );
  }

  async endStep(
    deploymentId: string,
    name: StepName,
    status: Exclude<StepStatus, "running">,
    detail: string | null,
    now = Date.now(),
  ): Promise<void> {
    await this.db.run(
      "UPDATE deployment_steps SET status = ?, finished_at = ?, detail = ? WHERE deployment_id = ? AND name = ?",
      [status, now, detail, deploymentId, name],
    );
  }

  async setInput(deploymentId: string, input: DeploymentInput): Promise<void> {
    await this.db.run("UPDATE deployments SET input = ? WHERE id = ?", [JSON.stringify(input), deploymentId]);
  }

  async setChanges(deploymentId: string, changes: ChangeSummary | null): Promise<void> {
    await this.db.run("UPDATE deployments SET changes = ? WHERE id = ?", [
      changes === null ? null : JSON.stringify(changes),
      deploymentId,
    ]);
  }

  async setPolicyFindings(deploymentId: string, findings: readonly PolicyFinding[]): Promise<void> {
    await this.db.run("UPDATE deployments SET policy_findings = ? WHERE id = ?", [
      JSON.stringify(findings),
      deploymentId,
    ]);
  }

  /** Moves an open deployment on; false when it had already ended. */
  async setStatus(
    id: string,
    status: DeploymentStatus,
    fields: { error?: string | null; compensation?: Compensation } = {},
    now = Date.now(),
  ): Promise<boolean> {
    const ending = TERMINAL_DEPLOYMENT_STATUSES.has(status);
    return (
      (await this.db.run(
        `UPDATE deployments SET status = ?, finished_at = ?, error = COALESCE(?, error),
           compensation = COALESCE(?, compensation)
         WHERE id = ? AND status IN ${OPEN_STATUSES}`,
        [
          status,
          ending ? now : null,
          fields.error ?? null,
          fields.compensation === undefined ? null : JSON.stringify(fields.compensation),
          id,
        ],
      )) > 0
    );
  }

  async requestApproval(
    deploymentId: string,
    tenantId: string,
    request: { planHash: string; approverRole: Role; requestedBy: string; expiresAt: number },
    now = Date.now(),
  ): Promise<void> {
    // A retried activity finds its approval recorded already: the first request stands.
    const [existing] = await this.db.query("SELECT 1 AS present FROM approvals WHERE deployment_id = ?", [
      deploymentId,
    ]);
    if (existing !== undefined) return;
    await this.db.run(
      `INSERT INTO approvals (deployment_id, tenant_id, plan_hash, approver_role, requested_by, requested_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [
        deploymentId,
        tenantId,
        request.planHash,
        request.approverRole,
        request.requestedBy,
        now,
        request.expiresAt,
      ],
    );
  }

  /** Records a decision on a pending approval; false when it was decided (or expired) already. */
  async decide(
    deploymentId: string,
    decision: ApprovalDecision,
    by: string | null,
    comment: string | null,
    now = Date.now(),
  ): Promise<boolean> {
    return (
      (await this.db.run(
        `UPDATE approvals SET decision = ?, decided_by = ?, decided_at = ?, comment = ?
         WHERE deployment_id = ? AND decision IS NULL`,
        [decision, by, now, comment, deploymentId],
      )) > 0
    );
  }

  async approval(deploymentId: string): Promise<Approval | undefined> {
    const [row] = await this.db.query("SELECT * FROM approvals WHERE deployment_id = ?", [deploymentId]);
    return row === undefined ? undefined : toApproval(row);
  }

  /** A tenant's deployments whose approval still waits for a decision, oldest request first. */
  async awaitingApproval(tenantId: string): Promise<Deployment[]> {
    const rows = await this.db.query(
      `SELECT d.* FROM deployments d JOIN approvals a ON a.deployment_id = d.id
       WHERE a.tenant_id = ? AND a.decision IS NULL AND d.status = 'awaiting_approval'
       ORDER BY a.requested_at, a.deployment_id`,
      [tenantId],
    );
    return Promise.all(rows.map((row) => this.assemble(row)));
  }

  async policy(scope: DeployPolicyScope, scopeId: string): Promise<DeployPolicy | undefined> {
    const [row] = await this.db.query("SELECT * FROM deploy_policies WHERE scope = ? AND scope_id = ?", [
      scope,
      scopeId,
    ]);
    if (row === undefined) return undefined;
    const approverRole = String(row.approver_role);
    if (!isRole(approverRole)) throw new Error(`deploy policy ${scope}:${scopeId} has role ${approverRole}`);
    return {
      requireApproval: Number(row.require_approval) === 1,
      approverRole,
      approvalTimeoutMs: Number(row.approval_timeout_seconds) * 1000,
      onFailure: String(row.on_failure) as FailurePolicy,
    };
  }

  async setPolicy(
    scope: DeployPolicyScope,
    scopeId: string,
    policy: DeployPolicy,
    by: string,
    now = Date.now(),
  ): Promise<void> {
    const values = [
      policy.requireApproval ? 1 : 0,
      policy.approverRole,
      Math.ceil(policy.approvalTimeoutMs / 1000),
      policy.onFailure,
      now,
      by,
    ];
    const changed = await this.db.run(
      `UPDATE deploy_policies SET require_approval = ?, approver_role = ?, approval_timeout_seconds = ?,
         on_failure = ?, updated_at = ?, updated_by = ? WHERE scope = ? AND scope_id = ?`,
      [...values, scope, scopeId],
    );
    if (changed === 0)
      await this.db.run(
        `INSERT INTO deploy_policies (require_approval, approver_role, approval_timeout_seconds, on_failure,
           updated_at, updated_by, scope, scope_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [...values, scope, scopeId],
      );
  }

  private async assemble(row: Row): Promise<Deployment> {
    const id = String(row.id);
    const steps = await this.db.query(
      "SELECT * FROM deployment_steps WHERE deployment_id = ? ORDER BY started_at, name",
      [id],
    );
    const [stack] = await this.db.query("SELECT name FROM tenant_stacks WHERE id = ?", [
      String(row.stack_id),
    ]);
    return {
      id,
      tenantId: String(row.tenant_id),
      stackId: String(row.stack_id),
      stackName: String(stack?.name ?? ""),
      kind: String(row.kind) as DeploymentKind,
      status: String(row.status) as DeploymentStatus,
      templateVersion: Number(row.template_version),
      priorStackStatus: String(row.prior_stack_status) as TenantStackStatus,
      startedBy: String(row.started_by),
      createdAt: Number(row.created_at),
      finishedAt: row.finished_at === null ? null : Number(row.finished_at),
      error: row.error === null ? null : String(row.error),
      changes: row.changes === null ? null : (JSON.parse(String(row.changes)) as ChangeSummary),
      policyFindings:
        row.policy_findings == null ? null : (JSON.parse(String(row.policy_findings)) as PolicyFinding[]),
      steps: steps.map(toStep),
      approval: (await this.approval(id)) ?? null,
      compensation: row.compensation === null ? null : (JSON.parse(String(row.compensation)) as Compensation),
      input: row.input === null ? null : (JSON.parse(String(row.input)) as DeploymentInput),
    };
  }
}

function toStep(row: Row): DeploymentStep {
  return {
    name: String(row.name) as StepName,
    status: String(row.status) as StepStatus,
    startedAt: Number(row.started_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
    jobId: row.job_id === null ? null : String(row.job_id),
    detail: row.detail === null ? null : String(row.detail),
  };
}

function toApproval(row: Row): Approval {
  const approverRole = String(row.approver_role);
  if (!isRole(approverRole))
    throw new Error(`approval ${String(row.deployment_id)} has role ${approverRole}`);
  return {
    planHash: String(row.plan_hash),
    approverRole,
    requestedBy: String(row.requested_by),
    requestedAt: Number(row.requested_at),
    expiresAt: Number(row.expires_at),
    decision: row.decision === null ? null : (String(row.decision) as ApprovalDecision),
    decidedBy: row.decided_by === null ? null : String(row.decided_by),
    decidedAt: row.decided_at === null ? null : Number(row.decided_at),
    comment: row.comment === null ? null : String(row.comment),
  };
}
