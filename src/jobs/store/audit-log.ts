import { randomUUID } from "node:crypto";
import type { AuditEntry } from "../domain/tenancy";
import type { Row, SqlExecutor, SqlTransaction } from "./sql-database";

export type NewAuditEntry = Omit<AuditEntry, "seq" | "id" | "at">;

export interface AuditQuery {
  readonly tenantId?: string;
  /** Epoch milliseconds, inclusive. */
  readonly from?: number;
  /** Epoch milliseconds, exclusive. */
  readonly to?: number;
  /** Entries after this sequence number (the previous page's last). */
  readonly afterSeq?: number;
  readonly limit: number;
}

/**
 * Adds one entry to the audit log, inside the change's own transaction, so a change is never
 * without its entry nor an entry without its change. Entries are numbered in the order their
 * transactions commit: writers take turns on the log, which admin changes can afford.
 */
export async function recordAudit(tx: SqlTransaction, entry: NewAuditEntry, now = Date.now()): Promise<void> {
  await tx.serialize("audit-log");
  await tx.run(
    `INSERT INTO audit_log (seq, id, at, actor, tenant_id, action, target, before, after)
     VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log), ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      randomUUID(),
      now,
      entry.actor,
      entry.tenantId,
      entry.action,
      entry.target,
      entry.before === null ? null : JSON.stringify(entry.before),
      entry.after === null ? null : JSON.stringify(entry.after),
    ],
  );
}

/** Reads the audit log; entries are only ever added, by recordAudit. */
export class AuditLog {
  constructor(private readonly db: SqlExecutor) {}

  /** Oldest first, so a reader pages forward with `afterSeq`. */
  async query(query: AuditQuery): Promise<AuditEntry[]> {
    const where: string[] = ["seq > ?"];
    const params: (string | number)[] = [query.afterSeq ?? 0];
    if (query.tenantId !== undefined) {
      where.push("tenant_id = ?");
      params.push(query.tenantId);
    }
    if (query.from !== undefined) {
      where.push("at >= ?");
      params.push(query.from);
    }
    if (query.to !== undefined) {
      where.push("at < ?");
      params.push(query.to);
    }
    const rows = await this.db.query(
      `SELECT * FROM audit_log WHERE ${where.join(" AND ")} ORDER BY seq LIMIT ?`,
      [...params, query.limit],
    );
    return rows.map(toEntry);
  }
}

function toEntry(row: Row): AuditEntry {
  return {
    seq: Number(row.seq),
    id: String(row.id),
    at: Number(row.at),
    actor: String(row.actor),
    tenantId: row.tenant_id === null ? null : String(row.tenant_id),
    action: String(row.action),
    target: String(row.target),
    before: row.before === null ? null : (JSON.parse(String(row.before)) as Record<string, unknown>),
    after: row.after === null ? null : (JSON.parse(String(row.after)) as Record<string, unknown>),
  };
}
