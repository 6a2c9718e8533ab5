import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { toYaml } from "../../../src/core/yaml";
import { parseServiceConfig } from "../../../src/jobs/config/service-config";
import {
  type Job,
  type JobEvent,
  type JobPlan,
  type Operation,
  TERMINAL_STATUSES,
} from "../../../src/jobs/domain/job";
import type { JobRunners } from "../../../src/jobs/domain/job-runners";
import { JobStore } from "../../../src/jobs/store/job-store";
import { migrate } from "../../../src/jobs/store/migrations";
import { openDatabase } from "../../../src/jobs/store/open-database";
import type { SqlDatabase } from "../../../src/jobs/store/sql-database";
import { startWorkerThread } from "../../../src/jobs/workers/worker-thread-host";
import { requireEngine } from "../../support/isolated-engine";
import { writeFixtureConfig } from "../../support/job-fixture";

const STACK = "organization/planned/dev";
const API_KEY = "plan-secret-api-key-7c41e9d2";

/** The project's program: `first` says `greeting`, `keyed` holds the secret; `extra` as given. */
function program(greeting: string, extra?: Record<string, unknown>): Record<string, unknown> {
  return {
    name: "planned",
    runtime: "yaml",
    config: { apiKey: { type: "string", secret: true } },
    resources: {
      first: { type: "pulumi:index:Stash", properties: { input: greeting } },
      keyed: { type: "pulumi:index:Stash", properties: { input: "key-${apiKey}" } },
      ...(extra && { extra }),
    },
    outputs: { first: "${first.output}" },
  };
}

/**
 * Update plans through the worker pool as the service runs it (in its thread, against the real
 * engine and SQLite): jobs queued in the store with a plan, as the deploy workflows queue them.
 */
describe("update plans: a preview saves one, an up applies exactly it", () => {
  let dir: string;
  let db: SqlDatabase;
  let store: JobStore;
  let runners: JobRunners;

  before(async () => {
    await requireEngine();
    const env = { ...process.env, PLAN_TEST_API_KEY: API_KEY };
    const written = writeFixtureConfig({
      projects: { planned: program("hello") },
      stacks: {
        [STACK]: { workload: "planned", secretConfig: { apiKey: { fromEnv: "PLAN_TEST_API_KEY" } } },
      },
    });
    dir = written.dir;
    const config = parseServiceConfig(written.raw, dir, env);
    db = openDatabase(config);
    await migrate(db);
    store = new JobStore(db);
    runners = await startWorkerThread({ config, pollMs: 100, env }, { notify: () => undefined });
  });
  after(async () => {
    await runners?.close();
    await db?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const setProgram = (project: Record<string, unknown>) =>
    writeFileSync(join(dir, "projects", "planned", "Pulumi.yaml"), toYaml(project));

  const run = async (operation: Operation, plan?: JobPlan): Promise<Job> => {
    const queued = await store.create({
      stack: STACK,
      workload: "planned",
      operation,
      timeoutMs: 300_000,
      ...(plan !== undefined && { plan }),
    });
    runners.wake();
    for (const deadline = Date.now() + 300_000; Date.now() < deadline; ) {
      const job = (await store.get(queued.id)) as Job;
      if (TERMINAL_STATUSES.has(job.status)) return job;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`job ${queued.id} did not end`);
  };

  /** What the stack's state holds: each resource's URN and its outputs, secret ones as a marker. */
  const stackState = (): Record<string, unknown> => {
    const file = join(dir, "data", "state", ".pulumi", "stacks", "planned", "dev.json");
    const checkpoint = JSON.parse(readFileSync(file, "utf8")) as {
      checkpoint: { latest?: { resources?: { urn: string; outputs?: Record<string, unknown> }[] } };
    };
    return Object.fromEntries(
      (checkpoint.checkpoint.latest?.resources ?? []).map((r) => [
        r.urn,
        JSON.parse(JSON.stringify(r.outputs ?? {}), (_k, v) =>
          v !== null && typeof v === "object" && "ciphertext" in v ? "[encrypted]" : v,
        ),
      ]),
    );
  };

  /** A preview's planned steps of the program's own resources: name, op, diffs and replaces. */
  const plannedSteps = (events: readonly JobEvent[]) =>
    events
      .filter((e) => e.kind === "resourcePreEvent" && e.data.type === "pulumi:index:Stash")
      .map((e) => [String(e.data.urn).split("::").pop(), e.data.op, e.data.diffs, e.data.replaces])
      .sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`));

  const resourceUrns = (plan: string) =>
    Object.keys((JSON.parse(plan) as { resourcePlans: Record<string, unknown> }).resourcePlans).filter(
      (urn) => !urn.includes("::pulumi:providers:"),
    );

  it("saves a preview's plan, secrets encrypted, and an up applying it creates exactly what the preview showed", async () => {
    const preview = await run("preview", { save: true });
    assert.equal(preview.status, "succeeded", preview.error ?? "");
    const plan = await store.savedPlan(preview.id);
    assert.ok(plan !== undefined && plan.length > 0, "the preview saved no plan");
    const parsed = JSON.parse(plan) as { config: Record<string, { secure?: string }> };
    assert.match(
      parsed.config["planned:apiKey"]?.secure ?? "",
      /^v1:/,
      "the secret config is in the plan, encrypted",
    );
    assert.ok(!plan.includes(API_KEY), "the plan holds the secret config value in plain");
    assert.ok(!JSON.stringify(preview).includes("resourcePlans"), "the job carries its plan");

    const up = await run("up", { apply: plan });
    assert.equal(up.status, "succeeded", up.error ?? "");
    assert.deepEqual(up.changes, preview.changes);
    assert.deepEqual(preview.changes, { create: 3 });
    assert.deepEqual(
      Object.keys(stackState()).sort(),
      [...resourceUrns(plan), "urn:pulumi:dev::planned::pulumi:providers:pulumi::default"].sort(),
    );
    assert.equal(await store.savedPlan(up.id), undefined);
    // The up previews against the plan, then updates, and the CLI rewrites its event log in
    // between (test/jobs/engine/engine-event-log.test.ts): the update's steps are still recorded.
    const finished = new Set(
      (await store.events(up.id))
        .filter((e) => e.kind === "resOutputsEvent" && e.data.type === "pulumi:index:Stash")
        .map((e) => `${e.data.urn}:${e.data.op}`),
    );
    assert.deepEqual(
      [...finished].sort(),
      ["first", "keyed"].map((n) => `urn:pulumi:dev::planned::pulumi:index:Stash::${n}:create`),
    );
  });

  it("refuses an up whose program left its plan behind, says so, and changes nothing in the stack", async () => {
    // Approved: `first` updated to say hello-v2.
    setProgram(program("hello-v2"));
    const preview = await run("preview", { save: true });
    assert.equal(preview.status, "succeeded", preview.error ?? "");
    assert.deepEqual(preview.changes, { update: 1, same: 2 });
    // Each resource's planned step names the properties it changes, never their values.
    const events = await store.events(preview.id);
    assert.deepEqual(plannedSteps(events), [
      ["first", "update", ["input"], undefined],
      ["keyed", "same", [], undefined],
    ]);
    assert.ok(!JSON.stringify(events).includes(API_KEY), "the secret reached the job's events");
    const plan = (await store.savedPlan(preview.id)) as string;

    // Then the program also creates a resource the plan never had, after the update it approved:
    // an engine that checked only step by step would have applied that update before refusing.
    setProgram(program("hello-v2", { type: "pulumi:index:Stash", properties: { input: "${first.output}" } }));
    const before = stackState();
    const up = await run("up", { apply: plan });
    assert.equal(up.status, "failed");
    assert.deepEqual(stackState(), before, "the stack changed although the plan refused the update");
    assert.equal(
      up.error,
      "the update would do more than the approved plan: extra (pulumi:index:Stash): create is not allowed by the plan: no steps were expected for this resource",
    );
    assert.equal(up.changes, null, "the refused preview's steps were counted as changes made");
    assert.equal(
      (before["urn:pulumi:dev::planned::pulumi:index:Stash::first"] as { output?: unknown }).output,
      "hello",
    );
  });

  it("names the properties forcing a replacement on each of its planned steps", async () => {
    const replaced = program("hello-v3");
    const resources = replaced.resources as Record<string, Record<string, unknown>>;
    resources.first = { ...resources.first, options: { replaceOnChanges: ["input"] } };
    setProgram(replaced);
    const before = stackState();
    const preview = await run("preview");
    assert.equal(preview.status, "succeeded", preview.error ?? "");
    assert.deepEqual(preview.changes, { replace: 1, same: 2 });
    assert.deepEqual(plannedSteps(await store.events(preview.id)), [
      ["first", "create-replacement", ["input"], ["input"]],
      // The engine names the changes on the replacement's create and replace steps only.
      ["first", "delete-replaced", [], []],
      ["first", "replace", ["input"], ["input"]],
      ["keyed", "same", [], undefined],
    ]);
    assert.deepEqual(stackState(), before, "a preview changed the stack");
  });
});
