import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestWorkflowEnvironment } from "@temporalio/testing";
import { startTemporalDevServer, type TemporalDevServer } from "../../src/jobs/temporal/dev-server";
import { builtBinary } from "./built-parts";

/** The variable through which the test files find the run's Temporal dev server (host:port). */
export const SHARED_TEMPORAL_ADDRESS_VARIABLE = "STACKWRIGHT_TEST_TEMPORAL_ADDRESS";

/** The namespace of the run's server: the one every dev server has. */
export const TEST_TEMPORAL_NAMESPACE = "default";

/** The Temporal CLI the bootstrap built; fails, never skips, when it is not there. */
export const temporalTestBinary = () => builtBinary("STACKWRIGHT_TEMPORAL_BIN");

/** A dev server of its own in a fresh directory, which `stop()` removes. */
export async function startTestTemporal(): Promise<TemporalDevServer> {
  const binary = temporalTestBinary();
  const stateDir = await mkdtemp(join(tmpdir(), "stackwright-temporal-"));
  try {
    const server = await startTemporalDevServer({ binary, stateDir, namespace: TEST_TEMPORAL_NAMESPACE });
    return {
      address: server.address,
      namespace: server.namespace,
      async stop() {
        await server.stop();
        await rm(stateDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
}

let own: Promise<TemporalDevServer> | undefined;

/**
 * The test run's Temporal dev server. `npm test` starts one for the whole run (cluster-setup.ts);
 * a test file run on its own starts one of its own. Either way the file calls `stop()` in its
 * `after` hook, which stops only a server the file started. Tests share the server, so each
 * takes a task queue of its own (`uniqueTaskQueue`).
 */
export function testTemporal(): Promise<TemporalDevServer> {
  const shared = process.env[SHARED_TEMPORAL_ADDRESS_VARIABLE];
  if (shared)
    return Promise.resolve({ address: shared, namespace: TEST_TEMPORAL_NAMESPACE, stop: async () => {} });
  own ??= startTestTemporal();
  return own;
}

/**
 * `@temporalio/testing`'s environment (a client, and a native connection for workers) on the run's
 * server; `teardown()` closes its connections, never the server.
 */
export async function testWorkflowEnvironment(): Promise<TestWorkflowEnvironment> {
  const { address, namespace } = await testTemporal();
  return TestWorkflowEnvironment.createFromExistingServer({ address, namespace });
}

/** A task queue no other test polls: the run's server is shared by every test file. */
export function uniqueTaskQueue(label: string): string {
  const name = label
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .slice(0, 60);
  return `${name}-${randomBytes(4).toString("hex")}`;
}

/**
 * A service's `temporal` settings on the test run's server, with a task queue of its own: what
 * several services sharing one database (PostgreSQL) need, as they would share a Temporal cluster.
 */
export async function sharedTemporalSettings(label: string): Promise<{ address: string; taskQueue: string }> {
  const temporal = await testTemporal();
  return { address: temporal.address, taskQueue: uniqueTaskQueue(label) };
}
