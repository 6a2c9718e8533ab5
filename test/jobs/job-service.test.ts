import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { followJob, type JobFixture, sleepyProject, startJobFixture } from "../support/job-fixture";

describe("job service against the real engine", () => {
  let fx: JobFixture;
  before(async () => {
    fx = await startJobFixture({
      projects: {
        sleepy: sleepyProject("sleepy", 2, 300),
        broken: {
          name: "broken",
          runtime: "yaml",
          resources: { bad: { type: "testkit:index:Fail", properties: { message: "the database refused: boom-7731" } } },
        },
      },
      stacks: {
        "organization/sleepy/dev": { workload: "sleepy" },
        "organization/broken/dev": { workload: "broken" },
      },
    });
  });
  after(async () => fx?.close());

  it("runs a job queued -> running -> succeeded, with output, change summary and ordered events", async () => {
    const queued = await fx.server.service.deploy({ stack: "organization/sleepy/dev", operation: "up" });
    assert.equal(queued.status, "queued");
    const { job, events } = await followJob(fx.server, queued.id);
    assert.equal(job.status, "succeeded", job.error ?? "");
    assert.equal(job.exitCode, 0);
    assert.deepEqual(job.changes, { create: 4 });
    assert.match(job.output, /sleep1/);
    assert.ok(job.startedAt !== null && job.finishedAt !== null && job.startedAt <= job.finishedAt);
    const statuses = events.filter((e) => e.kind === "status").map((e) => e.data.status);
    assert.deepEqual(statuses, ["queued", "running", "succeeded"]);
    assert.deepEqual(
      events.map((e) => e.seq),
      events.map((_e, i) => i + 1),
      "sequence numbers count from 1 without gaps",
    );
    const done = events.filter((e) => e.kind === "resOutputsEvent").map((e) => e.data.type);
    assert.equal(done.filter((t) => t === "testkit:index:Sleep").length, 2);
    assert.ok(events.some((e) => e.kind === "summaryEvent"));
  });

  it("ends a failing program failed, with the engine's error", async () => {
    const queued = await fx.server.service.deploy({ stack: "organization/broken/dev", operation: "up" });
    const { job } = await followJob(fx.server, queued.id);
    assert.equal(job.status, "failed");
    assert.notEqual(job.exitCode, 0);
    assert.match(job.error ?? "", /boom-7731/);
  });
});
