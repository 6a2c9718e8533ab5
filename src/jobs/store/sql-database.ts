/**
 * The little SQL the job store needs, over SQLite (node:sqlite, embedded, one file) or
 * PostgreSQL (pg). Statements are written once in portable SQL with `?` placeholders; the
 * PostgreSQL adapter numbers them. Every state change of a job is one statement, atomic on
 * its own in both dialects. A change that takes several statements (a record and its audit
 * entry, a limit counted and a row added) runs in transaction().
 */
export type SqlValue = string | number | bigint | null;
export type Row = Record<string, unknown>;

export interface SqlDatabase {
  readonly dialect: "sqlite" | "postgres";
  query(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** Runs a statement; returns the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs a script of several statements (migrations), in one transaction. */
  script(sql: string): Promise<void>;
  /**
   * Runs `fn` while holding the database-wide migration lock, so that several workers starting
   * at once apply each migration once.
   */
  exclusive<T>(fn: (db: SqlDatabase) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in one transaction on `tx`: committed when it returns, rolled back when it throws.
   * Only `tx` may be used inside; other callers of the database wait until it ends.
   */
  transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** What a store needs to read and write: the database itself, or one transaction on it. */
export type SqlExecutor = Pick<SqlDatabase, "dialect" | "query" | "run">;

export interface SqlTransaction {
  readonly dialect: SqlDatabase["dialect"];
  query(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /**
   * Waits until no other transaction holds `key`, and holds it until this one ends: transactions
   * that read a count and then write by it (live stacks against maxInstances) take turns.
   */
  serialize(key: string): Promise<void>;
}

/** True when a statement failed on a unique constraint (both dialects). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === "23505" || /UNIQUE constraint failed/.test(e?.message ?? "");
}
