import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { TestWorkflowEnvironment } from "@temporalio/testing";
import { Worker } from "@temporalio/worker";
import {
  temporalTestBinary,
  testTemporal,
  testWorkflowEnvironment,
  uniqueTaskQueue,
} from "../../support/temporal";
import { greetingActivities } from "./fixtures/greeting-activities";
import type { greeting } from "./fixtures/greeting-workflow";
import { GREETING_WORKFLOWS } from "./fixtures/run-greeting";

after(async () => (await testTemporal()).stop());

/** Runs the greeting workflow in a testing environment, on a worker of its own. */
async function runGreetingIn(env: TestWorkflowEnvironment, name: string): Promise<string> {
  const taskQueue = uniqueTaskQueue("testing-environment");
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? "default",
    taskQueue,
    workflowsPath: GREETING_WORKFLOWS,
    activities: greetingActivities,
  });
  return worker.runUntil(
    env.client.workflow.execute<typeof greeting>("greeting", {
      args: [name],
      taskQueue,
      workflowId: `greeting-${taskQueue}`,
    }),
  );
}

/**
 * `@temporalio/testing` downloads a server by default, which fails offline; given the Temporal CLI
 * the bootstrap built, its local environment runs on that instead.
 */
describe("@temporalio/testing on the built Temporal CLI", () => {
  it("TestWorkflowEnvironment.createLocal starts the built binary and runs a workflow on it", async () => {
    const started = Date.now();
    const env = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: "existing-path", path: temporalTestBinary() } },
    });
    try {
      process.stderr.write(`TestWorkflowEnvironment.createLocal ready in ${Date.now() - started} ms\n`);
      assert.equal(await runGreetingIn(env, "testing"), "HELLO, testing");
    } finally {
      await env.teardown();
    }
  });

  it("testWorkflowEnvironment() runs a workflow on the test run's server", async () => {
    const env = await testWorkflowEnvironment();
    try {
      assert.equal(await runGreetingIn(env, "shared"), "HELLO, shared");
    } finally {
      await env.teardown();
    }
    // The server outlives the environment: another client still reaches it.
    const again = await testWorkflowEnvironment();
    await again.client.workflowService.getSystemInfo({});
    await again.teardown();
  });
});
