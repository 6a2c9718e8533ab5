import { SHARED_KUBECONFIG_VARIABLE } from "./cluster-setup";
import { attachLocalCluster, type LocalCluster, startLocalCluster } from "./local-cluster";
import { PKO_CRD_DIR } from "./paths";

let own: Promise<LocalCluster> | undefined;

/**
 * The test run's Kubernetes API server. `npm test` starts one for the whole run; a test file run on
 * its own starts one of its own. Either way the file calls `stop()` in its `after` hook, which
 * stops only a cluster the file started. Each test takes a namespace of its own
 * (`createNamespace`). Fails, never skips, when the cluster's binaries are missing.
 */
export function testCluster(): Promise<LocalCluster> {
  const shared = process.env[SHARED_KUBECONFIG_VARIABLE];
  if (shared) return Promise.resolve(attachLocalCluster(shared));
  own ??= startLocalCluster({ crdDir: PKO_CRD_DIR });
  return own;
}
