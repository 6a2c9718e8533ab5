import assert from "node:assert/strict";
import { it } from "node:test";
import type { SqlDatabase } from "../../../src/jobs/store/sql-database";

/**
 * What the store's SQL adapters promise beyond single statements, written once and run against
 * SQLite and PostgreSQL, each fresh per test.
 */
export function sqlDatabaseContract(openDatabase: () => Promise<SqlDatabase>): void {
  const withDatabase = (fn: (db: SqlDatabase) => Promise<void>) => async () => {
    const db = await openDatabase();
    try {
      await db.run("CREATE TABLE items (k TEXT NOT NULL, v INTEGER NOT NULL)");
      await fn(db);
    } finally {
      await db.close();
    }
  };

  it(
    "commits a transaction's statements together, and rolls all of them back when it throws",
    withDatabase(async (db) => {
      await db.transaction(async (tx) => {
        await tx.run("INSERT INTO items (k, v) VALUES (?, ?)", ["a", 1]);
        await tx.run("INSERT INTO items (k, v) VALUES (?, ?)", ["a", 2]);
      });
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.run("INSERT INTO items (k, v) VALUES (?, ?)", ["b", 1]);
          throw new Error("changed my mind");
        }),
        /changed my mind/,
      );
      const rows = await db.query("SELECT k, v FROM items ORDER BY v, k");
      assert.deepEqual(
        rows.map((r) => `${r.k}${r.v}`),
        ["a1", "a2"],
      );
    }),
  );

  it(
    "keeps statements outside a transaction out of it: they wait, and survive its rollback",
    withDatabase(async (db) => {
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const failing = db.transaction(async (tx) => {
        await tx.run("INSERT INTO items (k, v) VALUES (?, ?)", ["in", 1]);
        await held;
        throw new Error("rolled back");
      });
      const outside = db.run("INSERT INTO items (k, v) VALUES (?, ?)", ["out", 1]);
      setTimeout(release, 50);
      await assert.rejects(failing, /rolled back/);
      await outside;
      const rows = await db.query("SELECT k FROM items");
      assert.deepEqual(
        rows.map((r) => r.k),
        ["out"],
      );
    }),
  );

  it(
    "makes transactions that serialize on one key take turns: a count-then-insert never exceeds its limit",
    withDatabase(async (db) => {
      const limit = 3;
      const attempt = (n: number) =>
        db.transaction(async (tx) => {
          await tx.serialize("items:limited");
          const [row] = await tx.query("SELECT COUNT(*) AS n FROM items WHERE k = ?", ["limited"]);
          // A pause between reading the count and writing by it, where a race would strike.
          await new Promise((resolve) => setTimeout(resolve, 5));
          if (Number(row?.n) >= limit) return false;
          await tx.run("INSERT INTO items (k, v) VALUES (?, ?)", ["limited", n]);
          return true;
        });
      const results = await Promise.all(Array.from({ length: 12 }, (_, n) => attempt(n)));
      assert.equal(results.filter(Boolean).length, limit);
      const [row] = await db.query("SELECT COUNT(*) AS n FROM items WHERE k = ?", ["limited"]);
      assert.equal(Number(row?.n), limit);
    }),
  );
}
