import assert from "node:assert/strict";
import { it } from "node:test";
import { JobStore } from "../../../src/jobs/store/job-store";
import { migrate } from "../../../src/jobs/store/migrations";
import type { SqlDatabase } from "../../../src/jobs/store/sql-database";

/**
 * The job store's behaviour, written once and run against every database the service supports
 * (SQLite and PostgreSQL), each fresh per test.
 */
export function jobStoreContract(openDatabase: () => Promise<SqlDatabase>): void {
  const withStore = (fn: (store: JobStore, db: SqlDatabase) => Promise<void>) => async () => {
    const db = await openDatabase();
    try {
      await migrate(db);
      await fn(new JobStore(db), db);
    } finally {
      await db.close();
    }
  };
  const job = (stack: string, operation: "up" | "preview" = "up") => ({
    stack,
    workload: "w",
    operation,
    timeoutMs: 60_000,
  });

  it(
    "migrates once: a second run applies nothing",
    withStore(async (_store, db) => {
      assert.deepEqual(await migrate(db), []);
    }),
  );

  it(
    "creates queued jobs with a first status event",
    withStore(async (store) => {
      const created = await store.create(job("o/p/dev"), 1000);
      assert.equal(created.status, "queued");
      assert.equal(created.attempt, 0);
      assert.equal(created.createdAt, 1000);
      const events = await store.events(created.id);
      assert.deepEqual(
        events.map((e) => [e.seq, e.kind, e.data.status]),
        [[1, "status", "queued"]],
      );
    }),
  );

  it(
    "claims per stack in order, never two running on one stack, different stacks at once",
    withStore(async (store) => {
      const a1 = await store.create(job("o/p/a"));
      const a2 = await store.create(job("o/p/a"));
      const b1 = await store.create(job("o/p/b"));
      const first = await store.claim("w1", 30_000);
      const second = await store.claim("w2", 30_000);
      assert.deepEqual([first?.id, second?.id], [a1.id, b1.id]);
      assert.equal(await store.claim("w3", 30_000), undefined, "a2 waits for a1");
      await store.finish(a1.id, "w1", {
        status: "succeeded",
        exitCode: 0,
        error: null,
        changes: { create: 1 },
        output: "ok",
        outputTruncated: false,
      });
      const third = await store.claim("w3", 30_000);
      assert.equal(third?.id, a2.id);
      assert.equal(third?.status, "running");
      assert.equal(third?.attempt, 1);
    }),
  );

  it(
    "lets only the holding worker finish a job, once",
    withStore(async (store) => {
      const created = await store.create(job("o/p/dev"));
      await store.claim("w1", 30_000);
      const result = {
        status: "failed" as const,
        exitCode: 255,
        error: "boom",
        changes: null,
        output: "out",
        outputTruncated: true,
      };
      assert.equal(await store.finish(created.id, "intruder", result), false);
      assert.equal(await store.finish(created.id, "w1", result), true);
      assert.equal(await store.finish(created.id, "w1", { ...result, status: "succeeded" }), false);
      const done = await store.get(created.id);
      assert.equal(done?.status, "failed");
      assert.equal(done?.error, "boom");
      assert.equal(done?.outputTruncated, true);
      assert.deepEqual(
        (await store.events(created.id)).map((e) => e.data.status),
        ["queued", "running", "failed"],
      );
    }),
  );

  it(
    "cancels a queued job at once and marks a running one",
    withStore(async (store) => {
      const running = await store.create(job("o/p/dev"));
      const queued = await store.create(job("o/p/dev"));
      await store.claim("w1", 30_000);
      assert.equal((await store.requestCancel(queued.id))?.status, "canceled");
      const marked = await store.requestCancel(running.id);
      assert.equal(marked?.status, "running");
      assert.equal(await store.isCancelRequested(running.id), true);
      assert.equal(await store.requestCancel("no-such-job"), undefined);
    }),
  );

  it(
    "lets one worker take over the jobs whose lease expired, still running, then finish them",
    withStore(async (store) => {
      const expired = await store.create(job("o/p/a"));
      const healthy = await store.create(job("o/p/b"));
      await store.claim("w1", 5_000, 1000);
      await store.claim("w2", 60_000, 1000);
      const taken = await store.takeOverInterrupted({ workerId: "w3", leaseMs: 30_000, now: 10_000 });
      assert.deepEqual(
        taken.map((j) => [j.id, j.status]),
        [[expired.id, "running"]],
      );
      assert.deepEqual(
        await store.takeOverInterrupted({ workerId: "w4", leaseMs: 30_000, now: 10_001 }),
        [],
        "taken once only",
      );
      assert.equal(await store.heartbeat(expired.id, "w1", 5_000), false, "the dead worker lost it");
      await store.create(job("o/p/a"));
      assert.equal(await store.claim("w5", 30_000), undefined, "its stack stays occupied meanwhile");
      const result = {
        status: "failed" as const,
        exitCode: null,
        error: "interrupted",
        changes: null,
        output: "",
        outputTruncated: false,
      };
      assert.equal(await store.finish(expired.id, "w3", result), true);
      assert.equal((await store.get(expired.id))?.error, "interrupted");
      assert.equal((await store.get(healthy.id))?.status, "running");
      assert.equal(await store.heartbeat(healthy.id, "w2", 5_000), true);
    }),
  );

  it(
    "takes over every running job for a database's sole owner, and counts retries of the holder only",
    withStore(async (store) => {
      const a = await store.create(job("o/p/a"));
      const b = await store.create({ ...job("o/p/b"), spec: { size: 3 } });
      await store.claim("w1", 60_000);
      await store.claim("w2", 60_000);
      await store.recordRetry(a.id, "w1");
      await store.recordRetry(a.id, "intruder");
      assert.equal((await store.get(a.id))?.attempt, 2);
      assert.deepEqual((await store.get(b.id))?.spec, { size: 3 });
      assert.deepEqual(
        await store.takeOverInterrupted({ workerId: "w9", leaseMs: 1000 }),
        [],
        "leases still valid",
      );
      const taken = await store.takeOverInterrupted({ workerId: "w9", leaseMs: 1000, all: true });
      assert.deepEqual(taken.map((j) => j.id).sort(), [a.id, b.id].sort());
    }),
  );

  it(
    "lists newest first, filters and pages",
    withStore(async (store) => {
      const created = [];
      for (const [stack, op] of [
        ["o/p/a", "up"],
        ["o/p/b", "preview"],
        ["o/p/a", "preview"],
        ["o/p/a", "up"],
      ] as const) {
        created.push(await store.create(job(stack, op)));
      }
      const all = await store.list({ limit: 10 });
      assert.deepEqual(
        all.map((j) => j.id),
        created.map((j) => j.id).reverse(),
      );
      const aUps = await store.list({ stack: "o/p/a", operation: "up", limit: 10 });
      assert.deepEqual(
        aUps.map((j) => j.id),
        [created[3]?.id, created[0]?.id],
      );
      const page1 = await store.list({ limit: 2 });
      const page2 = await store.list({ limit: 2, before: page1[1]?.id as string });
      assert.deepEqual(
        [...page1, ...page2].map((j) => j.id),
        all.map((j) => j.id),
      );
      assert.deepEqual(await store.list({ status: "succeeded", limit: 10 }), []);
    }),
  );

  it(
    "numbers events per job from 1 and reads them after a given sequence number",
    withStore(async (store) => {
      const created = await store.create(job("o/p/dev"));
      for (let i = 0; i < 5; i++) await store.appendEvent(created.id, "progress", { i });
      const after3 = await store.events(created.id, 3);
      assert.deepEqual(
        after3.map((e) => e.seq),
        [4, 5, 6],
      );
      assert.deepEqual(
        after3.map((e) => e.data.i),
        [2, 3, 4],
      );
    }),
  );
}
