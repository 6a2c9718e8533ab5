import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { Row, SqlDatabase, SqlTransaction, SqlValue } from "./sql-database";

/** SQLite through Node's built-in node:sqlite: no server to start, no native add-on. */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = "sqlite" as const;
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  /** Ends when the open transaction does: one connection, so everyone else waits for it. */
  private transactionEnded: Promise<void> | undefined;

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
    while (this.transactionEnded !== undefined) await this.transactionEnded;
    return this.statement(sql).all(...params) as Row[];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    while (this.transactionEnded !== undefined) await this.transactionEnded;
    return Number(this.statement(sql).run(...params).changes);
  }

  // A statement run while another caller's transaction is open would join it on this one
  // connection, and be rolled back with it: each waits instead, checking again right before it
  // runs (the check and the statement in one synchronous step, so nothing starts in between).

  async transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    while (this.transactionEnded !== undefined) await this.transactionEnded;
    let end = () => {};
    this.transactionEnded = new Promise((resolve) => {
      end = resolve;
    });
    let open = true;
    const guard = () => {
      if (!open) throw new Error("the transaction has ended");
    };
    const tx: SqlTransaction = {
      dialect: "sqlite",
      query: async (sql, params = []) => {
        guard();
        return this.statement(sql).all(...params) as Row[];
      },
      run: async (sql, params = []) => {
        guard();
        return Number(this.statement(sql).run(...params).changes);
      },
      // BEGIN IMMEDIATE already makes every writing transaction, in any process, take turns.
      serialize: async () => guard(),
    };
    try {
      this.db.exec("BEGIN IMMEDIATE");
      try {
        const result = await fn(tx);
        this.db.exec("COMMIT");
        return result;
      } catch (error) {
        this.db.exec("ROLLBACK");
        throw error;
      }
    } finally {
      open = false;
      this.transactionEnded = undefined;
      end();
    }
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
    while (this.transactionEnded !== undefined) await this.transactionEnded;
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
