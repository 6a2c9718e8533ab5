import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { parseServiceConfig } from "../../../src/jobs/config/service-config";
import type { JobEvent } from "../../../src/jobs/domain/job";
import { StackJobService } from "../../../src/jobs/service/stack-job-service";
import { LocalJobNotifier } from "../../../src/jobs/store/job-notifier";
import { JobStore } from "../../../src/jobs/store/job-store";
import { migrate } from "../../../src/jobs/store/migrations";
import { SqliteDatabase } from "../../../src/jobs/store/sqlite-database";
import { Workloads } from "../../../src/jobs/workspace/workloads";

describe("watching a job as it ends", () => {
  let dir: string;
  let db: SqliteDatabase;
  let store: JobStore;
  let service: StackJobService;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "stackwright-watch-"));
    db = new SqliteDatabase(join(dir, "jobs.db"));
    await migrate(db);
    store = new JobStore(db);
    const config = parseServiceConfig({ dataDir: dir }, dir, {});
    service = new StackJobService(store, new LocalJobNotifier(), config, new Workloads(config));
  });
  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("ends with the job's final status event, also when it looks between the job's end and that event", async () => {
    const job = await store.create({ stack: "a/b/c", workload: "w", operation: "up", timeoutMs: 60_000 });
    await store.claim("worker", 60_000);
    // What JobStore.finish does in two statements, with a watcher arriving in between.
    await db.run("UPDATE jobs SET status = 'succeeded', finished_at = ? WHERE id = ?", [Date.now(), job.id]);
    const events: JobEvent[] = [];
    const watched = (async () => {
      for await (const event of service.watch(job.id, 0)) events.push(event);
    })();
    await sleep(600);
    await store.appendEvent(job.id, "status", { status: "succeeded" });
    await watched;
    assert.deepEqual(
      events.filter((e) => e.kind === "status").map((e) => e.data.status),
      ["queued", "running", "succeeded"],
    );
  });
});
