import { randomUUID } from "node:crypto";
import { isRole, type Role } from "../../catalog/permissions";
import {
  type Approval,
  type ApprovalDecision,
  type DeploymentStatus,
  TERMINAL_DEPLOYMENT_STATUSES,
} from "../domain/deployment";
import type { TenantStackStatus } from "../domain/tenant-stack";
import type { UpgradeBatch, UpgradeBatchStack, UpgradeInput } from "../domain/upgrade";
import { DeploymentStore, OPEN_STATUSES } from "./deployment-store";
import type { Row, SqlExecutor } from "./sql-database";

export interface NewUpgradeBatch {
  readonly tenantId: string;
  readonly templateId: string;
  readonly targetVersion: number;
  readonly failureBudget: number;
  readonly startedBy: string;
  /** In order: each stack's deployment, and what the stack goes back to when nothing is applied. */
  readonly stacks: readonly {
    readonly stackId: string;
    readonly deploymentId: string;
    readonly fromVersion: number;
    readonly fromParameters: Readonly<Record<string, unknown>>;
    readonly fromDeployedBy: string | null;
    readonly fromDeployedAt: number | null;
  }[];
}

/** Upgrade batches and their stacks, in SQL; each stack's deployment is the DeploymentStore's. */
export class UpgradeStore {
  constructor(private readonly db: SqlExecutor) {}

  async create(batch: NewUpgradeBatch, now = Date.now()): Promise<string> {
    const id = randomUUID();
    await this.db.run(
      `INSERT INTO upgrade_batches (id, tenant_id, template_id, target_version, failure_budget, status, started_by,
         created_at) VALUES (?, ?, ?, ?, ?, 'running', ?, ?)`,
      [id, batch.tenantId, batch.templateId, batch.targetVersion, batch.failureBudget, batch.startedBy, now],
    );
    for (const [position, stack] of batch.stacks.entries())
      await this.db.run(
        `INSERT INTO upgrade_batch_stacks (batch_id, stack_order, stack_id, deployment_id, from_version, from_parameters,
           from_deployed_by, from_deployed_at, skipped) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)`,
        [
          id,
          position,
          stack.stackId,
          stack.deploymentId,
          stack.fromVersion,
          JSON.stringify(stack.fromParameters),
          stack.fromDeployedBy,
          stack.fromDeployedAt,
        ],
      );
    return id;
  }

  async get(id: string): Promise<UpgradeBatch | undefined> {
    const [row] = await this.db.query("SELECT * FROM upgrade_batches WHERE id = ?", [id]);
    return row === undefined ? undefined : this.assemble(row);
  }

  /** A tenant's batches, newest first. */
  async ofTenant(tenantId: string, limit: number): Promise<UpgradeBatch[]> {
    const rows = await this.db.query(
      "SELECT * FROM upgrade_batches WHERE tenant_id = ? ORDER BY created_at DESC, id LIMIT ?",
      [tenantId, limit],
    );
    return Promise.all(rows.map((row) => this.assemble(row)));
  }

  /** The inputs of batches not yet ended: the ones whose workflows must be running. */
  async openInputs(): Promise<UpgradeInput[]> {
    const rows = await this.db.query(
      `SELECT input FROM upgrade_batches WHERE status IN ${OPEN_STATUSES} AND input IS NOT NULL`,
    );
    return rows.map((row) => JSON.parse(String(row.input)) as UpgradeInput);
  }

  async setInput(batchId: string, input: UpgradeInput): Promise<void> {
    await this.db.run("UPDATE upgrade_batches SET input = ? WHERE id = ?", [JSON.stringify(input), batchId]);
  }

  /** The batch a stack's deployment belongs to. */
  async batchOfDeployment(deploymentId: string): Promise<string | undefined> {
    const [row] = await this.db.query("SELECT batch_id FROM upgrade_batch_stacks WHERE deployment_id = ?", [
      deploymentId,
    ]);
    return row === undefined ? undefined : String(row.batch_id);
  }

  /**
   * Puts a stack the batch applied nothing to back as it was before the batch — its version,
   * parameters, last deployer and `status` — if it is still held (deploying) by the batch.
   */
  async restoreStack(deploymentId: string, status: TenantStackStatus, now = Date.now()): Promise<boolean> {
    const [row] = await this.db.query("SELECT * FROM upgrade_batch_stacks WHERE deployment_id = ?", [
      deploymentId,
    ]);
    if (row === undefined) return false;
    return (
      (await this.db.run(
        `UPDATE tenant_stacks SET template_version = ?, parameters = ?, deployed_by = ?, deployed_at = ?, status = ?,
           updated_at = ? WHERE id = ? AND status = 'deploying'`,
        [
          Number(row.from_version),
          String(row.from_parameters),
          row.from_deployed_by === null ? null : String(row.from_deployed_by),
          row.from_deployed_at === null ? null : Number(row.from_deployed_at),
          status,
          now,
          String(row.stack_id),
        ],
      )) > 0
    );
  }

  async setPlanHash(deploymentId: string, planHash: string): Promise<void> {
    await this.db.run("UPDATE upgrade_batch_stacks SET plan_hash = ? WHERE deployment_id = ?", [
      planHash,
      deploymentId,
    ]);
  }

  async markSkipped(deploymentId: string): Promise<void> {
    await this.db.run("UPDATE upgrade_batch_stacks SET skipped = 1 WHERE deployment_id = ?", [deploymentId]);
  }

  /** Moves an open batch on; false when it had already ended. */
  async setStatus(id: string, status: DeploymentStatus, error?: string, now = Date.now()): Promise<boolean> {
    const ending = TERMINAL_DEPLOYMENT_STATUSES.has(status);
    return (
      (await this.db.run(
        `UPDATE upgrade_batches SET status = ?, finished_at = ?, error = COALESCE(?, error)
         WHERE id = ? AND status IN ${OPEN_STATUSES}`,
        [status, ending ? now : null, error ?? null, id],
      )) > 0
    );
  }

  /** Records the pending approval once: a retried request finds it recorded and leaves it. */
  async requestApproval(
    id: string,
    request: { planHash: string; approverRole: Role; expiresAt: number },
    now = Date.now(),
  ): Promise<void> {
    await this.db.run(
      `UPDATE upgrade_batches SET plan_hash = ?, approver_role = ?, requested_at = ?, expires_at = ?
       WHERE id = ? AND plan_hash IS NULL`,
      [request.planHash, request.approverRole, now, request.expiresAt, id],
    );
  }

  /** Records a decision on the pending approval; false when it was decided (or expired) already. */
  async decide(
    id: string,
    decision: ApprovalDecision,
    by: string | null,
    comment: string | null,
    now = Date.now(),
  ): Promise<boolean> {
    return (
      (await this.db.run(
        `UPDATE upgrade_batches SET decision = ?, decided_by = ?, decided_at = ?, comment = ?
         WHERE id = ? AND plan_hash IS NOT NULL AND decision IS NULL`,
        [decision, by, now, comment, id],
      )) > 0
    );
  }

  /**
   * Gives the batch's decision to each of its stacks' deployments waiting on it, as an approval of
   * their own bound to their own plan hash: a stack's history shows who approved what it applied.
   * The rows are made decided, so no deployment of a batch is ever decided alone.
   */
  async decideStacks(
    batch: UpgradeBatch,
    decision: ApprovalDecision,
    by: string | null,
    comment: string | null,
    now = Date.now(),
  ): Promise<void> {
    const approval = batch.approval;
    if (approval === null) return;
    const deployments = new DeploymentStore(this.db);
    const detail =
      decision === "expired"
        ? "expired: no decision in time"
        : `${decision} by ${by} for upgrade batch ${batch.id}${comment === null ? "" : `: ${comment}`}`;
    for (const stack of batch.stacks) {
      if (stack.planHash === null || stack.deployment.status !== "awaiting_approval") continue;
      const id = stack.deployment.id;
      await deployments.requestApproval(
        id,
        batch.tenantId,
        {
          planHash: stack.planHash,
          approverRole: approval.approverRole,
          requestedBy: batch.startedBy,
          expiresAt: approval.expiresAt,
        },
        approval.requestedAt,
      );
      await deployments.decide(id, decision, by, comment, now);
      await deployments.endStep(
        id,
        "approval",
        decision === "approved" ? "succeeded" : "failed",
        detail,
        now,
      );
      if (decision === "approved") await deployments.setStatus(id, "running");
    }
  }

  private async assemble(row: Row): Promise<UpgradeBatch> {
    const id = String(row.id);
    const deployments = new DeploymentStore(this.db);
    const stackRows = await this.db.query(
      `SELECT s.*, t.name AS stack_name FROM upgrade_batch_stacks s JOIN tenant_stacks t ON t.id = s.stack_id
       WHERE s.batch_id = ? ORDER BY s.stack_order`,
      [id],
    );
    const stacks: UpgradeBatchStack[] = [];
    for (const stack of stackRows) {
      const deployment = await deployments.get(String(stack.deployment_id));
      if (deployment === undefined) throw new Error(`batch ${id} lost the deployment ${stack.deployment_id}`);
      stacks.push({
        stackId: String(stack.stack_id),
        stackName: String(stack.stack_name),
        fromVersion: Number(stack.from_version),
        planHash: stack.plan_hash === null ? null : String(stack.plan_hash),
        skipped: Number(stack.skipped) === 1,
        deployment,
      });
    }
    const [template] = await this.db.query("SELECT name FROM templates WHERE id = ?", [
      String(row.template_id),
    ]);
    return {
      id,
      tenantId: String(row.tenant_id),
      templateId: String(row.template_id),
      templateName: String(template?.name ?? ""),
      targetVersion: Number(row.target_version),
      failureBudget: Number(row.failure_budget),
      status: String(row.status) as DeploymentStatus,
      startedBy: String(row.started_by),
      createdAt: Number(row.created_at),
      finishedAt: row.finished_at === null ? null : Number(row.finished_at),
      error: row.error === null ? null : String(row.error),
      stacks,
      approval: toApproval(row),
      failedStacks: stacks
        .filter((s) => !s.skipped && s.deployment.status === "failed")
        .map((s) => s.stackName),
      skippedStacks: stacks.filter((s) => s.skipped).map((s) => s.stackName),
    };
  }
}

function toApproval(row: Row): Approval | null {
  if (row.plan_hash === null) return null;
  const approverRole = String(row.approver_role);
  if (!isRole(approverRole)) throw new Error(`upgrade batch ${String(row.id)} has role ${approverRole}`);
  return {
    planHash: String(row.plan_hash),
    approverRole,
    requestedBy: String(row.started_by),
    requestedAt: Number(row.requested_at),
    expiresAt: Number(row.expires_at),
    decision: row.decision === null ? null : (String(row.decision) as ApprovalDecision),
    decidedBy: row.decided_by === null ? null : String(row.decided_by),
    decidedAt: row.decided_at === null ? null : Number(row.decided_at),
    comment: row.comment === null ? null : String(row.comment),
  };
}
