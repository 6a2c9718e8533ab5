import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { SqlDatabase } from "./sql-database";

/**
 * The job store's schema lives in `migrations/` beside this file, one numbered `.sql` file per
 * change (`0001_jobs_and_events.sql`), in portable SQL both dialects run: TEXT, BIGINT, INTEGER;
 * epoch-millisecond times; JSON kept as TEXT. Each is applied once, in order, and recorded in
 * schema_migrations. Add a file with the next number; never edit one that has been applied.
 */
export const MIGRATIONS_DIR = join(__dirname, "migrations");

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** The migrations in `directory`, in order; a stray or misnumbered file is refused by name. */
export function readMigrations(directory: string = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(directory)
    .sort()
    .map((file, index) => {
      const match = FILE_NAME.exec(file);
      if (match === null)
        throw new Error(`${join(directory, file)}: migration files are named NNNN_words.sql`);
      const version = Number(match[1]);
      // A gap or a duplicate number would leave some database without a change it needs.
      if (version !== index + 1)
        throw new Error(`${join(directory, file)}: expected migration number ${index + 1}`);
      return {
        version,
        name: (match[2] as string).replaceAll("_", " "),
        sql: readFileSync(join(directory, file), "utf8"),
      };
    });
  return migrations;
}

/** Applies the migrations the database lacks, under a lock other processes respect; returns their versions. */
export function migrate(
  database: SqlDatabase,
  migrations: readonly Migration[] = readMigrations(),
): Promise<number[]> {
  return database.exclusive((db) => applyMissing(db, migrations));
}

async function applyMissing(db: SqlDatabase, migrations: readonly Migration[]): Promise<number[]> {
  await db.run(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
  );
  const applied = new Set(
    (await db.query("SELECT version FROM schema_migrations")).map((r) => Number(r.version)),
  );
  const done: number[] = [];
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    await db.script(
      `${m.sql}\nINSERT INTO schema_migrations (version, name, applied_at) VALUES (${m.version}, '${m.name.replace(/'/g, "''")}', ${Date.now()});`,
    );
    done.push(m.version);
  }
  return done;
}
