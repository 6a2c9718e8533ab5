import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { toYaml } from "../../../src/core/yaml";
import type { Job } from "../../../src/jobs/domain/job";
import { jobProcesses } from "../../../src/jobs/engine/job-process-tree";
import {
  followJob,
  type JobFixture,
  sleepyProject,
  startJobFixture,
  TESTKIT_BIN,
} from "../../support/job-fixture";

const overlaps = (a: Job, b: Job) =>
  (a.startedAt as number) < (b.finishedAt as number) && (b.startedAt as number) < (a.finishedAt as number);

describe("job execution control against the real engine", () => {
  let fx: JobFixture;
  before(async () => {
    fx = await startJobFixture({
      projects: {
        steady: sleepyProject("steady", 1, 1500),
        slow: sleepyProject("slow", 1, 60_000),
      },
      stacks: {
        "organization/steady/a": { workload: "steady" },
        "organization/steady/b": { workload: "steady" },
        "organization/slow/dev": { workload: "slow" },
      },
      settings: { concurrency: 4, cancelGraceSeconds: 2 },
    });
  });
  after(async () => fx?.close());
  const service = () => fx.server.service;

  it("never overlaps two jobs on one stack, and runs jobs of different stacks at once", async () => {
    const a1 = await service().deploy({ stack: "organization/steady/a", operation: "up" });
    const a2 = await service().deploy({ stack: "organization/steady/a", operation: "refresh" });
    const b1 = await service().deploy({ stack: "organization/steady/b", operation: "up" });
    const [ra1, ra2, rb1] = await Promise.all([a1, a2, b1].map((j) => followJob(fx.server, j.id)));
    for (const r of [ra1, ra2, rb1]) assert.equal(r?.job.status, "succeeded", r?.job.error ?? "");
    const [ja1, ja2, jb1] = [ra1, ra2, rb1].map((r) => r?.job as Job) as [Job, Job, Job];
    assert.ok(!overlaps(ja1, ja2), "the two jobs of stack a overlapped");
    assert.ok((ja2.startedAt as number) >= (ja1.finishedAt as number), "a2 started before a1 finished");
    assert.ok(overlaps(ja1, jb1), "jobs of stacks a and b did not run at once");
  });

  it("cancels a running job (interrupt, then kill after the grace period), and the stack updates afterwards", async () => {
    const job = await service().deploy({ stack: "organization/slow/dev", operation: "up" });
    await waitForStatus(job.id, "running");
    await waitForEvent(job.id, "resourcePreEvent");
    const asked = await service().cancel(job.id);
    assert.equal(asked.cancelRequested, true);
    const { job: ended, events } = await followJob(fx.server, job.id);
    assert.equal(ended.status, "canceled");
    assert.equal(ended.error, "canceled");
    assert.ok(
      (ended.finishedAt as number) - (ended.startedAt as number) < 30_000,
      "not killed after the grace period",
    );
    assert.equal(events.at(-1)?.data.status, "canceled");
    assert.deepEqual(jobProcesses(job.id), [], "engine or plugin processes of the canceled job live on");
    const preview = await followJob(
      fx.server,
      (await service().deploy({ stack: "organization/slow/dev", operation: "preview" })).id,
    );
    assert.equal(preview.job.status, "succeeded", `the stack stayed locked: ${preview.job.error}`);
  });

  it("cancels a queued job at once", async () => {
    const running = await service().deploy({
      stack: "organization/slow/dev",
      operation: "up",
      timeoutMs: 3000,
    });
    const queued = await service().deploy({ stack: "organization/slow/dev", operation: "up" });
    const canceled = await service().cancel(queued.id);
    assert.equal(canceled.status, "canceled");
    assert.equal(canceled.startedAt, null);
    await followJob(fx.server, running.id);
  });

  it("ends a job that runs past its timeout timed_out, and the stack updates afterwards", async () => {
    const job = await service().deploy({ stack: "organization/slow/dev", operation: "up", timeoutMs: 2500 });
    const { job: ended } = await followJob(fx.server, job.id);
    assert.equal(ended.status, "timed_out");
    assert.match(ended.error ?? "", /timed out after 3 s|timed out after 2 s/);
    const refresh = await followJob(
      fx.server,
      (await service().deploy({ stack: "organization/slow/dev", operation: "refresh" })).id,
    );
    assert.equal(refresh.job.status, "succeeded", refresh.job.error ?? "");
  });

  it("retries with backoff while another update holds the stack", async () => {
    const blockerDone = holdStack(fx, "organization/steady/a", 5000);
    await new Promise((r) => setTimeout(r, 1500));
    // A preview takes no lock; an update does.
    const job = await service().deploy({ stack: "organization/steady/a", operation: "up" });
    const { job: ended, events } = await followJob(fx.server, job.id);
    await blockerDone;
    assert.equal(ended.status, "succeeded", ended.error ?? "");
    assert.ok(ended.attempt >= 2, `attempt ${ended.attempt}: ${ended.output.slice(-1500)}`);
    assert.ok(events.some((e) => e.kind === "retry"));
  });

  it("after the lock wait (lockWaitSeconds) gives up on a stack that another update holds", async () => {
    const waiting = await startJobFixture({
      projects: { steady: sleepyProject("steady", 1, 100) },
      stacks: { "organization/steady/held": { workload: "steady" } },
      settings: { lockWaitSeconds: 2 },
    });
    try {
      const blockerDone = holdStack(waiting, "organization/steady/held", 12_000);
      await new Promise((r) => setTimeout(r, 2500));
      const job = await waiting.server.service.deploy({ stack: "organization/steady/held", operation: "up" });
      const { job: ended, events } = await followJob(waiting.server, job.id);
      const waited = (ended.finishedAt as number) - (ended.startedAt as number);
      await blockerDone;
      assert.equal(ended.status, "failed");
      assert.match(ended.error ?? "", /lock/i);
      assert.ok(ended.attempt >= 2, `attempt ${ended.attempt}`);
      const delays = events.filter((e) => e.kind === "retry").map((e) => e.data.delayMs as number);
      assert.equal(
        delays.reduce((a, b) => a + b, 0),
        2000,
        `waited ${delays.join(" + ")} ms in all, not the 2 s configured`,
      );
      assert.ok(waited < 9000, `gave up after ${waited} ms, while the other update still ran`);
    } finally {
      await waiting.close();
    }
  });

  async function waitForStatus(id: string, status: Job["status"]): Promise<void> {
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
      if ((await service().get(id)).status === status) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`job ${id} never became ${status}`);
  }

  async function waitForEvent(id: string, kind: string): Promise<void> {
    for await (const event of service().watch(id, 0)) if (event.kind === kind) return;
  }
});

/**
 * Another process (a person running the CLI) updates `stack` of the fixture's `steady` project
 * for about `ms`, holding its lock; resolves when it is done.
 */
function holdStack(fx: JobFixture, stack: string, ms: number): Promise<unknown> {
  const env = {
    ...process.env,
    PATH: `${TESTKIT_BIN}:${process.env.PATH}`,
    PULUMI_BACKEND_URL: `file://${join(fx.dir, "data", "state")}`,
    PULUMI_CONFIG_PASSPHRASE_FILE: join(fx.dir, `${stack.replaceAll("/", "-")}.passphrase`),
  };
  const dir = join(fx.dir, `blocker-${stack.replaceAll("/", "-")}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "Pulumi.yaml"), toYaml(sleepyProject("steady", 1, ms)));
  const blocker = spawn(
    "sh",
    [
      "-c",
      `pulumi stack select --create --non-interactive ${stack} && pulumi up --yes --non-interactive --refresh`,
    ],
    { cwd: dir, env, stdio: "ignore" },
  );
  return new Promise((resolve) => blocker.on("close", resolve));
}
