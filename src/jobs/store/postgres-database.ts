import { createHash } from "node:crypto";
import pg from "pg";
import type { Row, SqlDatabase, SqlTransaction, SqlValue } from "./sql-database";

/** An arbitrary, fixed key for the advisory lock that serializes migrations. */
const MIGRATION_LOCK_KEY = 7_305_611_442;

/** `?` placeholders → `$1, $2, …`. The store's SQL has no `?` inside literals. */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

type Queryable = pg.Pool | pg.PoolClient;

/** PostgreSQL through a pg connection pool. */
export class PostgresDatabase implements SqlDatabase {
  readonly dialect = "postgres" as const;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly target: Queryable,
  ) {}

  static open(connectionString: string, maxConnections = 10): PostgresDatabase {
    const pool = new pg.Pool({ connectionString, max: maxConnections });
    // An idle client's error (the server restarting) must not crash the process; the next
    // query reports it.
    pool.on("error", () => undefined);
    return new PostgresDatabase(pool, pool);
  }

  async query(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    return (await this.target.query(numberPlaceholders(sql), params as SqlValue[])).rows as Row[];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return (await this.target.query(numberPlaceholders(sql), params as SqlValue[])).rowCount ?? 0;
  }

  async script(sql: string): Promise<void> {
    const client = "release" in this.target ? this.target : await this.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(sql);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    } finally {
      if (client !== this.target) (client as pg.PoolClient).release();
    }
  }

  async exclusive<T>(fn: (db: SqlDatabase) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
      return await fn(new PostgresDatabase(this.pool, client));
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
      client.release();
    }
  }

  async transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let open = true;
    const guard = () => {
      if (!open) throw new Error("the transaction has ended");
    };
    const tx: SqlTransaction = {
      dialect: "postgres",
      query: async (sql, params = []) => {
        guard();
        return (await client.query(numberPlaceholders(sql), params as SqlValue[])).rows as Row[];
      },
      run: async (sql, params = []) => {
        guard();
        return (await client.query(numberPlaceholders(sql), params as SqlValue[])).rowCount ?? 0;
      },
      serialize: async (key) => {
        guard();
        // Released by COMMIT or ROLLBACK, whichever ends the transaction.
        await client.query("SELECT pg_advisory_xact_lock($1)", [advisoryKey(key)]);
      },
    };
    try {
      await client.query("BEGIN");
      const result = await fn(tx);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      open = false;
      client.release();
    }
  }

  async close(): Promise<void> {
    if (this.target === this.pool) await this.pool.end();
  }
}

/** A text key as the 64-bit integer PostgreSQL's advisory locks take. */
function advisoryKey(key: string): string {
  return BigInt.asIntN(
    64,
    BigInt(`0x${createHash("sha256").update(key).digest("hex").slice(0, 16)}`),
  ).toString();
}
