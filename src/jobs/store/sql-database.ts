/**
 * The little SQL the job store needs, over SQLite (node:sqlite, embedded, one file) or
 * PostgreSQL (pg). Statements are written once in portable SQL with `?` placeholders; the
 * PostgreSQL adapter numbers them. Every state change of a job is one statement, atomic on
 * its own in both dialects, so no transaction spans an `await`.
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
  close(): Promise<void>;
}

/** True when a statement failed on a unique constraint (both dialects). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === "23505" || /UNIQUE constraint failed/.test(e?.message ?? "");
}
