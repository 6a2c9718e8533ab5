/**
 * `./dev.sh cluster`: the repository's local Kubernetes API server (etcd, kube-apiserver and
 * kube-controller-manager on 127.0.0.1, the PKO CRDs applied) for trying the examples by hand.
 * Prints the kubeconfig to use and runs until interrupted, then stops everything it started.
 */
import { join, resolve } from "node:path";
import { startLocalCluster } from "../test/support/local-cluster";

const REPO = resolve(__dirname, "../..");

async function main(): Promise<void> {
  const cluster = await startLocalCluster({ crdDir: join(REPO, "crds") });
  process.stdout.write(
    [
      `local Kubernetes API server at ${cluster.server}, the PKO CRDs applied; in another shell:`,
      "",
      `  export KUBECONFIG=${cluster.kubeconfig}`,
      "",
      "Ctrl-C stops it and removes its data.",
      "",
    ].join("\n"),
  );
  await new Promise<void>((done) => {
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  await cluster.stop();
}

main().catch((error: unknown) => {
  process.stderr.write(`stackwright cluster: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
