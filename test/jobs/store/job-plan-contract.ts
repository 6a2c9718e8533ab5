import assert from "node:assert/strict";
import { it } from "node:test";
import type { JobPlan, Operation } from "../../../src/jobs/domain/job";
import { JobServiceError } from "../../../src/jobs/domain/job-service";
import { type JobResult, JobStore } from "../../../src/jobs/store/job-store";
import { migrate } from "../../../src/jobs/store/migrations";
import type { SqlDatabase } from "../../../src/jobs/store/sql-database";

/**
 * How the job store keeps jobs' update plans (issue 15), written once and run against every
 * database the service supports, each fresh per test.
 */
export function jobPlanContract(openDatabase: () => Promise<SqlDatabase>): void {
  const withStore = (fn: (store: JobStore, db: SqlDatabase) => Promise<void>) => async () => {
    const db = await openDatabase();
    try {
      await migrate(db);
      await fn(new JobStore(db), db);
    } finally {
      await db.close();
    }
  };
  const job = (operation: Operation, plan?: JobPlan) => ({
    stack: "o/p/dev",
    workload: "w",
    operation,
    timeoutMs: 60_000,
    ...(plan !== undefined && { plan }),
  });
  // The shape of a saved plan, with a secret as the engine writes it: encrypted.
  const PLAN = JSON.stringify({
    manifest: { version: "v3.259.0" },
    config: { "p:apiKey": { secure: "v1:abc:def" } },
    resourcePlans: {},
  });
  const result = (status: JobResult["status"], savedPlan?: string): JobResult => ({
    status,
    exitCode: status === "succeeded" ? 0 : 255,
    error: status === "succeeded" ? null : "boom",
    changes: null,
    output: "",
    outputTruncated: false,
    ...(savedPlan !== undefined && { savedPlan }),
  });

  it(
    "keeps the plan a save-plan preview produced, shown only once it succeeded, never on the job",
    withStore(async (store, db) => {
      const preview = await store.create(job("preview", { save: true }));
      assert.deepEqual(await store.requestedPlan(preview.id), { save: true });
      await store.claim("w1", 30_000);
      // As finish() leaves it between its two statements: the plan written, the job still running.
      await db.run("UPDATE job_plans SET plan = ? WHERE job_id = ?", [PLAN, preview.id]);
      assert.equal(await store.savedPlan(preview.id), undefined, "a plan shown before its preview succeeded");
      assert.equal(await store.finish(preview.id, "w1", result("succeeded", PLAN)), true);
      assert.equal(await store.savedPlan(preview.id), PLAN);
      const stored = await store.get(preview.id);
      assert.ok(stored !== undefined && !("plan" in stored), "the job carries its plan");
      assert.ok(!JSON.stringify(await store.list({ limit: 10 })).includes("resourcePlans"));
    }),
  );

  it(
    "keeps an up's plan to apply for its worker, and says no saved plan for anything but a save",
    withStore(async (store) => {
      const up = await store.create(job("up", { apply: PLAN }));
      const plain = await store.create(job("preview"));
      assert.deepEqual(await store.requestedPlan(up.id), { apply: PLAN });
      assert.equal(await store.requestedPlan(plain.id), undefined);
      assert.equal(await store.savedPlan(up.id), undefined);
      assert.equal(await store.savedPlan(plain.id), undefined);
      assert.equal(await store.savedPlan("no-such-job"), undefined);
    }),
  );

  it(
    "keeps no plan of a preview that failed, or of a worker that no longer holds the job",
    withStore(async (store, db) => {
      const failed = await store.create(job("preview", { save: true }));
      await store.claim("w1", 30_000);
      await store.finish(failed.id, "w1", result("failed", PLAN));
      assert.equal(await store.savedPlan(failed.id), undefined);

      const taken = await store.create(job("preview", { save: true }));
      await store.claim("w1", 5_000, 1000);
      await store.takeOverInterrupted({ workerId: "w2", leaseMs: 30_000, now: 10_000 });
      assert.equal(await store.finish(taken.id, "w1", result("succeeded", PLAN)), false);
      await store.finish(taken.id, "w2", result("failed"));
      assert.equal(await store.savedPlan(taken.id), undefined);
      const [row] = await db.query("SELECT plan FROM job_plans WHERE job_id = ?", [taken.id]);
      assert.equal(row?.plan, null, "the worker that lost the job wrote its plan");
    }),
  );

  it(
    "refuses a plan its operation cannot take, naming the field, and queues nothing",
    withStore(async (store) => {
      const refusals: [Operation, JobPlan, RegExp][] = [
        ["up", { save: true }, /^plan: only a preview can save an update plan, not up$/],
        ["refresh", { save: true }, /^plan: only a preview can save an update plan, not refresh$/],
        ["preview", { apply: PLAN }, /^plan: only an up can apply an update plan, not preview$/],
        ["destroy", { apply: PLAN }, /^plan: only an up can apply an update plan, not destroy$/],
        ["up", { apply: "" }, /not an update plan that a preview saved/],
        ["up", { apply: "[]" }, /not an update plan that a preview saved/],
        ["up", { save: true, apply: PLAN } as unknown as JobPlan, /either \{ save: true \} or \{ apply/],
      ];
      for (const [operation, plan, message] of refusals)
        await assert.rejects(store.create(job(operation, plan)), (error: unknown) => {
          assert.ok(error instanceof JobServiceError, String(error));
          assert.equal(error.code, "invalid_argument");
          assert.equal(error.field, "plan");
          assert.match(error.message, message);
          return true;
        });
      assert.deepEqual(await store.list({ limit: 10 }), []);
    }),
  );

  it(
    "queues a job and its plan together or not at all, on its own or in the caller's transaction",
    withStore(async (store, db) => {
      await assert.rejects(
        db.transaction(async (tx) => {
          await new JobStore(tx).create(job("up", { apply: PLAN }));
          throw new Error("the caller's next step failed");
        }),
        /the caller's next step failed/,
      );
      assert.deepEqual(await store.list({ limit: 10 }), [], "the job outlived its rolled-back transaction");
      const inCallers = await db.transaction((tx) => new JobStore(tx).create(job("up", { apply: PLAN })));
      assert.deepEqual(await store.requestedPlan(inCallers.id), { apply: PLAN });

      // A plan that cannot be written takes its job with it: no up is left to run unconstrained.
      await db.run("DROP TABLE job_plans");
      await assert.rejects(store.create(job("up", { apply: PLAN })));
      assert.deepEqual(
        (await store.list({ limit: 10 })).map((j) => j.id),
        [inCallers.id],
      );
    }),
  );
}
