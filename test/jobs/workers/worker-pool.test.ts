import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Job, JobEvent } from "../../../src/jobs/domain/job";
import { jobProcesses } from "../../../src/jobs/engine/job-process-tree";
import { JobStore } from "../../../src/jobs/store/job-store";
import { migrate } from "../../../src/jobs/store/migrations";
import { PostgresDatabase } from "../../../src/jobs/store/postgres-database";
import type { SqlDatabase } from "../../../src/jobs/store/sql-database";
import { SqliteDatabase } from "../../../src/jobs/store/sqlite-database";
import { requireEngine } from "../../support/isolated-engine";
import { sleepyProject, writeFixtureConfig } from "../../support/job-fixture";
import { type PostgresServer, startPostgres } from "../../support/postgres-server";
import { type ServeProcess, startServe } from "../../support/serve-process";
import { sharedTemporalSettings } from "../../support/temporal";

async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 120_000,
): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("a killed service process", () => {
  let serve: ServeProcess | undefined;
  let db: SqlDatabase | undefined;
  after(async () => {
    await serve?.stop();
    await db?.close();
  });

  it("leaves no job running and no temporary files after SIGKILL mid-update and a restart, and the stack updates again", async () => {
    await requireEngine();
    const { file, raw } = writeFixtureConfig({
      projects: { slow: sleepyProject("slow", 1, 20_000) },
      stacks: { "organization/slow/dev": { workload: "slow" } },
    });
    // The service's own temporary directory, to see what a killed service leaves there.
    const tmp = mkdtempSync(join(tmpdir(), "stackwright-killed-tmp-"));
    const env = { ...process.env, TMPDIR: tmp };
    const scratch = (jobId: string) => join(raw.dataDir as string, "runs", jobId);
    serve = startServe(["--config", file, "--no-api"], env);
    await serve.waitFor(/stackwright: worker /);
    db = new SqliteDatabase(join(raw.dataDir, "jobs.db"));
    const store = new JobStore(db);
    const job = await store.create({
      stack: "organization/slow/dev",
      workload: "slow",
      operation: "up",
      timeoutMs: 600_000,
    });
    await waitUntil(`the update to start: ${JSON.stringify(await store.get(job.id))}`, async () =>
      (await store.events(job.id)).some(
        (e) => e.kind === "resourcePreEvent" && e.data.type === "testkit:index:Sleep",
      )
        ? true
        : undefined,
    );
    serve.child.kill("SIGKILL");
    await new Promise((r) => serve?.child.once("exit", r));
    assert.equal((await store.get(job.id))?.status, "running", "the dead process left the job running");

    serve = startServe(["--config", file, "--no-api"], env);
    await serve.waitFor(/stackwright: worker /);
    const resolved = (await store.get(job.id)) as Job;
    assert.equal(resolved.status, "failed");
    assert.equal(resolved.error, "interrupted");
    assert.equal((await store.list({ status: "running", limit: 10 })).length, 0);
    assert.deepEqual(jobProcesses(job.id), [], "the dead service's engine or plugins live on");
    assert.ok(!existsSync(scratch(job.id)), "recovery left the killed job's scratch directory");
    assert.deepEqual(
      readdirSync(tmp).filter((name) => name.startsWith("stackwright-")),
      [],
      "the killed service's temporary directories are left behind",
    );

    const next = await store.create({
      stack: "organization/slow/dev",
      workload: "slow",
      operation: "refresh",
      timeoutMs: 600_000,
    });
    const ended = await waitUntil("the next job to end", async () => {
      const j = await store.get(next.id);
      return j && ["succeeded", "failed", "canceled", "timed_out"].includes(j.status) ? j : undefined;
    });
    assert.equal(ended.status, "succeeded", `the stack stayed locked: ${ended.error}`);
  });
});

describe("two worker processes on one PostgreSQL", () => {
  let pg: PostgresServer | undefined;
  const workers: ServeProcess[] = [];
  let db: SqlDatabase | undefined;
  before(async () => {
    pg = await startPostgres();
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await db?.close();
    await pg?.stop();
  });

  it("run 40 jobs over 8 stacks, each exactly once, never two at once on a stack", async () => {
    await requireEngine();
    const url = await (pg as PostgresServer).createDatabase();
    const stacks = Array.from({ length: 8 }, (_v, i) => `organization/quick/s${i}`);
    const { file } = writeFixtureConfig({
      projects: { quick: sleepyProject("quick", 1, 100) },
      stacks: Object.fromEntries(stacks.map((s) => [s, { workload: "quick" }])),
      // Workers on many machines share one Temporal, as they share the database.
      settings: { database: url, concurrency: 2, temporal: await sharedTemporalSettings("pg-workers") },
    });
    db = PostgresDatabase.open(url);
    await migrate(db);
    const store = new JobStore(db);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++)
      ids.push(
        (
          await store.create({
            stack: stacks[i % 8] as string,
            workload: "quick",
            operation: i < 8 ? "up" : "preview",
            timeoutMs: 600_000,
          })
        ).id,
      );
    for (let i = 0; i < 2; i++) workers.push(startServe(["--config", file, "--no-api"]));
    const workerIds = await Promise.all(
      workers.map(async (w) => (await w.waitFor(/stackwright: worker (\S+),/))[1]),
    );

    const jobs = await waitUntil(
      "every job to end",
      async () => {
        const all = await Promise.all(ids.map((id) => store.get(id) as Promise<Job>));
        return all.every((j) => j.finishedAt !== null) ? all : undefined;
      },
      300_000,
    );
    for (const j of jobs) assert.equal(j.status, "succeeded", `${j.id}: ${j.error}`);
    const runs = new Map<string, JobEvent[]>();
    for (const j of jobs)
      runs.set(
        j.id,
        (await store.events(j.id)).filter((e) => e.kind === "status" && e.data.status === "running"),
      );
    for (const [id, running] of runs)
      assert.equal(running.length, 1, `job ${id} ran ${running.length} times`);
    const used = new Set([...runs.values()].map((r) => r[0]?.data.worker));
    assert.deepEqual([...used].sort(), [...workerIds].sort(), "both workers took jobs");
    for (const stack of stacks) {
      const own = jobs
        .filter((j) => j.stack === stack)
        .sort((a, b) => (a.startedAt as number) - (b.startedAt as number));
      for (let i = 1; i < own.length; i++)
        assert.ok(
          (own[i]?.startedAt as number) >= (own[i - 1]?.finishedAt as number),
          `two jobs of ${stack} overlapped`,
        );
      // The order of creation is the order of running, per stack.
      assert.deepEqual(
        own.map((j) => j.id),
        ids.filter((_id, i) => stacks[i % 8] === stack),
      );
    }
  });

  it("resolve a dead worker's job once its lease expires, and run the stack's next job", async () => {
    await requireEngine();
    const url = await (pg as PostgresServer).createDatabase();
    const { file } = writeFixtureConfig({
      projects: { slow: sleepyProject("slow", 1, 30_000) },
      stacks: { "organization/slow/dev": { workload: "slow" } },
      settings: { database: url, leaseSeconds: 3, temporal: await sharedTemporalSettings("pg-lease") },
    });
    const pgDb = PostgresDatabase.open(url);
    try {
      await migrate(pgDb);
      const store = new JobStore(pgDb);
      const doomed = startServe(["--config", file, "--no-api"]);
      workers.push(doomed);
      await doomed.waitFor(/stackwright: worker /);
      const job = await store.create({
        stack: "organization/slow/dev",
        workload: "slow",
        operation: "up",
        timeoutMs: 600_000,
      });
      await waitUntil("the update to start", async () =>
        (await store.events(job.id)).some(
          (e) => e.kind === "resourcePreEvent" && e.data.type === "testkit:index:Sleep",
        )
          ? true
          : undefined,
      );
      const survivor = startServe(["--config", file, "--no-api"]);
      workers.push(survivor);
      await survivor.waitFor(/stackwright: worker /);
      doomed.child.kill("SIGKILL");
      const killedAt = Date.now();
      const resolved = await waitUntil("the dead worker's job to be resolved", async () => {
        const j = await store.get(job.id);
        return j?.status === "failed" ? j : undefined;
      });
      assert.equal(resolved.error, "interrupted");
      assert.ok(Date.now() - killedAt < 15_000, "resolved long after the lease expired");
      const processState = (pid: number) => {
        try {
          return `${pid} ${readFileSync(`/proc/${pid}/stat`, "utf8").split(" ").slice(1, 4).join(" ")}`;
        } catch {
          return `${pid} gone`;
        }
      };
      assert.deepEqual(
        jobProcesses(job.id).map(processState),
        [],
        "the dead worker's engine or plugins live on",
      );
      const next = await store.create({
        stack: "organization/slow/dev",
        workload: "slow",
        operation: "preview",
        timeoutMs: 600_000,
      });
      const ended = await waitUntil("the next job to end", async () => {
        const j = await store.get(next.id);
        return j?.finishedAt ? j : undefined;
      });
      assert.equal(ended.status, "succeeded", ended.error ?? "");
    } finally {
      await pgDb.close();
    }
  });
});
