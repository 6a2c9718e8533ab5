import { randomUUID } from "node:crypto";
import { TENANT_STACK_STATUSES, type TenantStack, type TenantStackStatus } from "../domain/tenant-stack";
import type { Row, SqlExecutor, SqlTransaction } from "./sql-database";

export interface NewTenantStack {
  readonly tenantId: string;
  readonly name: string;
  readonly templateId: string;
  readonly templateVersion: number;
  readonly parameters: Record<string, unknown>;
  readonly stateLocation: string;
  readonly createdBy: string;
}

/** Tenants' stacks in SQL. */
export class TenantStackStore {
  constructor(private readonly db: SqlExecutor) {}

  /**
   * Adds a stack unless the tenant already has `maxInstances` live (not destroyed) stacks of the
   * template: counted and added in one transaction that concurrent deploys of the same tenant and
   * template take in turns, so the limit holds however many deploys race.
   */
  static async createWithin(
    tx: SqlTransaction,
    stack: NewTenantStack,
    maxInstances: number | undefined,
    now = Date.now(),
  ): Promise<TenantStack | "limit-reached"> {
    const store = new TenantStackStore(tx);
    if (maxInstances !== undefined) {
      await tx.serialize(`instances:${stack.tenantId}:${stack.templateId}`);
      if ((await store.liveCount(stack.tenantId, stack.templateId)) >= maxInstances) return "limit-reached";
    }
    const id = randomUUID();
    await tx.run(
      `INSERT INTO tenant_stacks (id, tenant_id, name, template_id, template_version, parameters, status,
         state_location, created_at, created_by, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)`,
      [
        id,
        stack.tenantId,
        stack.name,
        stack.templateId,
        stack.templateVersion,
        JSON.stringify(stack.parameters),
        stack.stateLocation,
        now,
        stack.createdBy,
        now,
      ],
    );
    return (await store.get(id)) as TenantStack;
  }

  async liveCount(tenantId: string, templateId: string): Promise<number> {
    const [row] = await this.db.query(
      "SELECT COUNT(*) AS n FROM tenant_stacks WHERE tenant_id = ? AND template_id = ? AND status <> 'destroyed'",
      [tenantId, templateId],
    );
    return Number(row?.n ?? 0);
  }

  async get(id: string): Promise<TenantStack | undefined> {
    const [row] = await this.db.query("SELECT * FROM tenant_stacks WHERE id = ?", [id]);
    return row === undefined ? undefined : toStack(row);
  }

  /** The tenant's live stack called `name`. */
  async byName(tenantId: string, name: string): Promise<TenantStack | undefined> {
    const [row] = await this.db.query(
      "SELECT * FROM tenant_stacks WHERE tenant_id = ? AND name = ? AND status <> 'destroyed'",
      [tenantId, name],
    );
    return row === undefined ? undefined : toStack(row);
  }

  /** The tenant's stack called `name`: the live one, else the one destroyed last; undefined when neither. */
  async lastByName(tenantId: string, name: string): Promise<TenantStack | undefined> {
    const [row] = await this.db.query(
      `SELECT * FROM tenant_stacks WHERE tenant_id = ? AND name = ?
       ORDER BY CASE WHEN status = 'destroyed' THEN 1 ELSE 0 END, created_at DESC, id DESC LIMIT 1`,
      [tenantId, name],
    );
    return row === undefined ? undefined : toStack(row);
  }

  async list(filter: {
    tenantId: string;
    includeDestroyed?: boolean;
    afterName?: string;
    limit: number;
  }): Promise<TenantStack[]> {
    const rows = await this.db.query(
      `SELECT * FROM tenant_stacks WHERE tenant_id = ? AND name > ? ${filter.includeDestroyed ? "" : "AND status <> 'destroyed'"}
       ORDER BY name, created_at LIMIT ?`,
      [filter.tenantId, filter.afterName ?? "", filter.limit],
    );
    return rows.map(toStack);
  }

  /** Moves the stack to `status` if it is in one of `from`; false when it was not. */
  async transition(
    id: string,
    from: readonly TenantStackStatus[],
    to: TenantStackStatus,
    fields: {
      lastJobId?: string | null;
      error?: string | null;
      outputs?: Record<string, unknown> | null;
      deployedBy?: string;
    },
    now = Date.now(),
  ): Promise<boolean> {
    const sets = ["status = ?", "updated_at = ?"];
    const params: (string | number | null)[] = [to, now];
    if (fields.lastJobId !== undefined) {
      sets.push("last_job_id = ?");
      params.push(fields.lastJobId);
    }
    if (fields.error !== undefined) {
      sets.push("error = ?");
      params.push(fields.error);
    }
    if (fields.outputs !== undefined) {
      sets.push("outputs = ?");
      params.push(fields.outputs === null ? null : JSON.stringify(fields.outputs));
    }
    if (fields.deployedBy !== undefined) {
      sets.push("deployed_by = ?", "deployed_at = ?");
      params.push(fields.deployedBy, now);
    }
    const placeholders = from.map(() => "?").join(", ");
    return (
      (await this.db.run(
        `UPDATE tenant_stacks SET ${sets.join(", ")} WHERE id = ? AND status IN (${placeholders})`,
        [...params, id, ...from],
      )) > 0
    );
  }
}

function toStack(row: Row): TenantStack {
  const status = String(row.status) as TenantStackStatus;
  if (!TENANT_STACK_STATUSES.includes(status))
    throw new Error(`tenant stack ${String(row.id)} has status ${status}`);
  return {
    id: String(row.id),
    tenantId: String(row.tenant_id),
    name: String(row.name),
    templateId: String(row.template_id),
    templateVersion: Number(row.template_version),
    parameters: JSON.parse(String(row.parameters)) as Record<string, unknown>,
    status,
    outputs: row.outputs === null ? null : (JSON.parse(String(row.outputs)) as Record<string, unknown>),
    stateLocation: String(row.state_location),
    error: row.error === null ? null : String(row.error),
    lastJobId: row.last_job_id === null ? null : String(row.last_job_id),
    createdAt: Number(row.created_at),
    createdBy: String(row.created_by),
    deployedAt: row.deployed_at === null ? null : Number(row.deployed_at),
    deployedBy: row.deployed_by === null ? null : String(row.deployed_by),
    updatedAt: Number(row.updated_at),
  };
}
