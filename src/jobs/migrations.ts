import type { SqlDatabase } from "./sql-database";

/**
 * The job store's schema, one list for both dialects: each migration is portable SQL (TEXT,
 * BIGINT, INTEGER; epoch-millisecond times; JSON kept as TEXT). Applied in order, each once,
 * recorded in schema_migrations. Append new migrations; never edit an applied one.
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: "jobs and events",
    sql: `
      CREATE TABLE jobs (
        seq BIGINT NOT NULL,
        id TEXT PRIMARY KEY,
        stack TEXT NOT NULL,
        workload TEXT NOT NULL,
        operation TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        started_at BIGINT,
        finished_at BIGINT,
        attempt INTEGER NOT NULL DEFAULT 0,
        exit_code INTEGER,
        error TEXT,
        changes TEXT,
        output TEXT NOT NULL DEFAULT '',
        output_truncated INTEGER NOT NULL DEFAULT 0,
        timeout_ms BIGINT NOT NULL,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        worker_id TEXT,
        lease_expires_at BIGINT
      );
      CREATE UNIQUE INDEX jobs_seq ON jobs (seq);
      CREATE INDEX jobs_stack_status ON jobs (stack, status, seq);
      CREATE INDEX jobs_status_seq ON jobs (status, seq);
      -- At most one running job per stack, whatever the number of workers: the database refuses
      -- a second claim on the same stack.
      CREATE UNIQUE INDEX jobs_one_running_per_stack ON jobs (stack) WHERE status = 'running';
      CREATE TABLE job_events (
        job_id TEXT NOT NULL REFERENCES jobs (id),
        seq INTEGER NOT NULL,
        at BIGINT NOT NULL,
        kind TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (job_id, seq)
      );
    `,
  },
  {
    version: 2,
    name: "per-job component spec",
    sql: "ALTER TABLE jobs ADD COLUMN spec TEXT;",
  },
];

export function migrate(database: SqlDatabase): Promise<number[]> {
  return database.exclusive((db) => applyMissing(db));
}

async function applyMissing(db: SqlDatabase): Promise<number[]> {
  await db.run(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
  );
  const applied = new Set(
    (await db.query("SELECT version FROM schema_migrations")).map((r) => Number(r.version)),
  );
  const done: number[] = [];
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    await db.script(
      `${m.sql}\nINSERT INTO schema_migrations (version, name, applied_at) VALUES (${m.version}, '${m.name.replace(/'/g, "''")}', ${Date.now()});`,
    );
    done.push(m.version);
  }
  return done;
}
