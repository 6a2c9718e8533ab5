/**
 * The test run's global setup (`node --test --test-global-setup`): one local Kubernetes API server
 * for every test file, whose processes inherit its kubeconfig through the environment.
 */
import type { LocalCluster } from "./local-cluster";
import { startLocalCluster } from "./local-cluster";
import { PKO_CRD_DIR } from "./paths";

/** The variable through which the test files find the run's cluster (see test-cluster.ts). */
export const SHARED_KUBECONFIG_VARIABLE = "STACKWRIGHT_TEST_KUBECONFIG";

let cluster: LocalCluster | undefined;

export async function globalSetup(): Promise<void> {
  const started = Date.now();
  cluster = await startLocalCluster({ crdDir: PKO_CRD_DIR });
  process.env[SHARED_KUBECONFIG_VARIABLE] = cluster.kubeconfig;
  process.stderr.write(
    `test run: local Kubernetes API server ${cluster.server} ready in ${Date.now() - started} ms\n`,
  );
}

export async function globalTeardown(): Promise<void> {
  await cluster?.stop();
}
