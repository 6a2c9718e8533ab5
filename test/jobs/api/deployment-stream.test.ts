import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { deploymentSnapshots } from "../../../src/jobs/api/event-stream";
import type { Deployment, DeploymentStatus } from "../../../src/jobs/domain/deployment";

function deployment(status: DeploymentStatus, steps: Deployment["steps"] = []): Deployment {
  return {
    id: "d-1",
    tenantId: "t-1",
    stackId: "s-1",
    stackName: "web",
    kind: "deploy",
    status,
    templateVersion: 1,
    priorStackStatus: "pending",
    startedBy: "alice",
    createdAt: 1,
    finishedAt: null,
    error: null,
    changes: null,
    policyFindings: null,
    steps,
    approval: null,
    compensation: null,
    input: null,
  };
}

const step = (status: "running" | "succeeded") =>
  [{ name: "validate", status, startedAt: 2, finishedAt: null, jobId: null, detail: null }] as const;

describe("a deployment's watch (WatchDeployment's snapshots)", () => {
  it("gives the deployment, then each change once, and ends with the first terminal snapshot", async () => {
    const reads = [
      deployment("running"),
      deployment("running", step("running")),
      deployment("running", step("running")),
      deployment("running", step("succeeded")),
      deployment("awaiting_approval", step("succeeded")),
      deployment("awaiting_approval", step("succeeded")),
      deployment("succeeded", step("succeeded")),
      deployment("failed"),
    ];
    let read = 0;
    const seen: string[] = [];
    for await (const snapshot of deploymentSnapshots(
      reads[0] as Deployment,
      async () => reads[++read] as Deployment,
      new AbortController().signal,
      1,
    ))
      seen.push(`${snapshot.status} ${snapshot.steps.map((s) => s.status).join(",")}`);
    assert.deepEqual(seen, [
      "running ",
      "running running",
      "running succeeded",
      "awaiting_approval succeeded",
      "succeeded succeeded",
    ]);
    assert.equal(read, 6, "nothing is read after the terminal snapshot");
  });

  it("ends at once when the caller goes away, and reads no more", async () => {
    const abort = new AbortController();
    let reads = 0;
    const snapshots = deploymentSnapshots(
      deployment("running"),
      async () => {
        reads++;
        return deployment("running");
      },
      abort.signal,
      20,
    );
    assert.equal((await snapshots.next()).value?.status, "running");
    const next = snapshots.next();
    await sleep(70);
    const before = reads;
    assert.ok(before >= 1, "it polls while nothing changes");
    const started = Date.now();
    abort.abort();
    assert.equal((await next).done, true);
    assert.ok(Date.now() - started < 20, "without waiting for its next poll");
    await sleep(80);
    assert.equal(reads, before);
  });

  it("passes a refusal on: a caller who lost access gets the error", async () => {
    const snapshots = deploymentSnapshots(
      deployment("running"),
      async () => {
        throw new Error("deploymentId: no deployment d-1");
      },
      new AbortController().signal,
      1,
    );
    await snapshots.next();
    await assert.rejects(snapshots.next(), /no deployment d-1/);
  });
});
