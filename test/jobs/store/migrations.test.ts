import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { MIGRATIONS_DIR, migrate, readMigrations } from "../../../src/jobs/store/migrations";
import { SqliteDatabase } from "../../../src/jobs/store/sqlite-database";

const SOURCE_DIR = resolve(__dirname, "../../../../src/jobs/store/migrations");

describe("job store migrations", () => {
  it("ships every .sql file of the source tree beside the built store, numbered from 1", () => {
    assert.deepEqual(readdirSync(MIGRATIONS_DIR).sort(), readdirSync(SOURCE_DIR).sort());
    const versions = readMigrations().map((m) => m.version);
    assert.deepEqual(
      versions,
      versions.map((_, i) => i + 1),
    );
    assert.equal(readMigrations()[0]?.name, "jobs and events");
  });

  it("applies a migration added later to a database that has the earlier ones, once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sw-migrations-"));
    cpSync(MIGRATIONS_DIR, join(dir, "migrations"), { recursive: true });
    const db = new SqliteDatabase(join(dir, "jobs.db"));
    try {
      const shipped = readMigrations(join(dir, "migrations"));
      assert.deepEqual(
        await migrate(db, shipped),
        shipped.map((m) => m.version),
      );
      const next = shipped.length + 1;
      writeFileSync(
        join(dir, "migrations", `${String(next).padStart(4, "0")}_job_labels.sql`),
        "ALTER TABLE jobs ADD COLUMN labels TEXT;\n",
      );
      const grown = readMigrations(join(dir, "migrations"));
      assert.deepEqual(await migrate(db, grown), [next]);
      assert.deepEqual(await migrate(db, grown), []);
      const recorded = await db.query("SELECT version, name FROM schema_migrations ORDER BY version");
      assert.deepEqual({ ...recorded.at(-1) }, { version: next, name: "job labels" });
      await db.run("UPDATE jobs SET labels = ?", ["x"]);
    } finally {
      await db.close();
    }
  });

  it("refuses a misnamed or misnumbered file, naming it", () => {
    const dir = mkdtempSync(join(tmpdir(), "sw-migrations-"));
    writeFileSync(join(dir, "0001_first.sql"), "SELECT 1;");
    writeFileSync(join(dir, "0003_third.sql"), "SELECT 1;");
    assert.throws(() => readMigrations(dir), /0003_third\.sql: expected migration number 2/);
    writeFileSync(join(dir, "0002-second.SQL"), "SELECT 1;");
    assert.throws(() => readMigrations(dir), /0002-second\.SQL: migration files are named NNNN_words\.sql/);
  });
});
