import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { Row, SqlDatabase, SqlValue } from "./sql-database";

/** SQLite through Node's built-in node:sqlite: no server to start, no native add-on. */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = "sqlite" as const;
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();

  constructor(path: string) {
    this.db = new DatabaseSync(path);
    // WAL lets readers (API polls) run beside the writer; busy_timeout waits out another process.
    // busy_timeout first: switching to WAL needs a moment of exclusive access when another process has the file open.
    // synchronous=NORMAL: in WAL mode a commit no longer waits for the disk (every progress event
    // is a commit), and the database stays consistent; a power cut may lose the last moments.
    this.db.exec(
      "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
    );
  }

  async query(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    return this.statement(sql).all(...params) as Row[];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return Number(this.statement(sql).run(...params).changes);
  }

  /** The store uses a few fixed statements, polled often: each is compiled once. */
  private statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  async script(sql: string): Promise<void> {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      this.db.exec(sql);
      this.db.exec("COMMIT");
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  /** BEGIN IMMEDIATE in script() already keeps other processes out; one process is serial. */
  exclusive<T>(fn: (db: SqlDatabase) => Promise<T>): Promise<T> {
    return fn(this);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
