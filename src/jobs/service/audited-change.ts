import type { Caller } from "../domain/caller";
import { recordAudit } from "../store/audit-log";
import type { SqlDatabase, SqlTransaction } from "../store/sql-database";

/** What a change did, for its audit entry: the record before and after, secrets left out. */
export interface ChangeOutcome<T> {
  readonly result: T;
  /** What changed: `template:<id>`, `stack:<id>`, … */
  readonly target: string;
  /** The tenant the change belongs to, when only the change knows it (a tenant just created). */
  readonly tenantId?: string;
  readonly before?: Record<string, unknown> | null;
  readonly after?: Record<string, unknown> | null;
}

/** Runs one change and writes its audit entry in the same transaction: neither lands without the other. */
export function auditedChange<T>(
  db: SqlDatabase,
  caller: Caller,
  tenantId: string | null,
  action: string,
  apply: (tx: SqlTransaction) => Promise<ChangeOutcome<T>>,
): Promise<T> {
  return db.transaction(async (tx) => {
    const outcome = await apply(tx);
    await recordAudit(tx, {
      actor: caller.actor,
      tenantId: outcome.tenantId ?? tenantId,
      action,
      target: outcome.target,
      before: outcome.before ?? null,
      after: outcome.after ?? null,
    });
    return outcome.result;
  });
}
