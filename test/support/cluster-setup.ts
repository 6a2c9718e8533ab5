/**
 * The test run's global setup (`node --test --test-global-setup`): one local Kubernetes API server
 * and one Temporal dev server for every test file, started side by side. The test files' processes
 * find them through the environment.
 */
import type { TemporalDevServer } from "../../src/jobs/temporal/dev-server";
import type { LocalCluster } from "./local-cluster";
import { startLocalCluster } from "./local-cluster";
import { PKO_CRD_DIR } from "./paths";
import { SHARED_TEMPORAL_ADDRESS_VARIABLE, startTestTemporal } from "./temporal";

/** The variable through which the test files find the run's cluster (see test-cluster.ts). */
export const SHARED_KUBECONFIG_VARIABLE = "STACKWRIGHT_TEST_KUBECONFIG";

let cluster: LocalCluster | undefined;
let temporal: TemporalDevServer | undefined;

export async function globalSetup(): Promise<void> {
  const started = Date.now();
  const readyMs: Record<string, number> = {};
  const starts = [
    startLocalCluster({ crdDir: PKO_CRD_DIR }).then((c) => {
      readyMs.cluster = Date.now() - started;
      cluster = c;
    }),
    startTestTemporal().then((t) => {
      readyMs.temporal = Date.now() - started;
      temporal = t;
    }),
  ];
  // Either failing fails the run, once both have settled: what the other started is stopped.
  const failed = (await Promise.allSettled(starts)).find((s) => s.status === "rejected");
  if (failed !== undefined || cluster === undefined || temporal === undefined) {
    await globalTeardown();
    throw failed?.reason;
  }
  process.env[SHARED_KUBECONFIG_VARIABLE] = cluster.kubeconfig;
  process.env[SHARED_TEMPORAL_ADDRESS_VARIABLE] = temporal.address;
  process.stderr.write(
    `test run: local Kubernetes API server ${cluster.server} ready in ${readyMs.cluster} ms, Temporal dev server ${temporal.address} in ${readyMs.temporal} ms\n`,
  );
}

export async function globalTeardown(): Promise<void> {
  await Promise.all([cluster?.stop(), temporal?.stop()]);
}
