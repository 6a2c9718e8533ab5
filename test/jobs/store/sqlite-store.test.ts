import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe } from "node:test";
import { SqliteDatabase } from "../../../src/jobs/store/sqlite-database";
import { jobPlanContract } from "./job-plan-contract";
import { platformStoreContract } from "./platform-store-contract";
import { sqlDatabaseContract } from "./sql-database-contract";
import { jobStoreContract } from "./store-contract";

describe("job store on SQLite", () => {
  const dir = mkdtempSync(join(tmpdir(), "stackwright-sqlite-"));
  let n = 0;
  jobStoreContract(async () => new SqliteDatabase(join(dir, `jobs-${n++}.db`)));
  jobPlanContract(async () => new SqliteDatabase(join(dir, `jobs-${n++}.db`)));
});

describe("SQLite adapter", () => {
  const dir = mkdtempSync(join(tmpdir(), "stackwright-sqlite-"));
  let n = 0;
  sqlDatabaseContract(async () => new SqliteDatabase(join(dir, `adapter-${n++}.db`)));
});

describe("platform stores on SQLite", () => {
  const dir = mkdtempSync(join(tmpdir(), "stackwright-sqlite-"));
  let n = 0;
  platformStoreContract(async () => new SqliteDatabase(join(dir, `platform-${n++}.db`)));
});
