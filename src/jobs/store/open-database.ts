import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { ServiceConfig } from "../config/service-config";
import { PostgresDatabase } from "./postgres-database";
import type { SqlDatabase } from "./sql-database";
import { SqliteDatabase } from "./sqlite-database";

/** The configured database: PostgreSQL when a URL is given, else SQLite in the data directory. */
export function openDatabase(config: ServiceConfig): SqlDatabase {
  if (config.databaseUrl) return PostgresDatabase.open(config.databaseUrl);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  return new SqliteDatabase(join(config.dataDir, "jobs.db"));
}
