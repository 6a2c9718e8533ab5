import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmod, mkdtemp, readdir, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { clusterBinDir, startLocalCluster } from "../support/local-cluster";
import { PKO_CRD_DIR } from "../support/paths";

const run = promisify(execFile);

/** The local cluster's own failure paths: what a developer sees when a part is broken or missing. */
describe("the local Kubernetes cluster", () => {
  it("fails with one message naming a component that does not start, its log, and stops the rest", async () => {
    const real = clusterBinDir();
    const bin = await mkdtemp(join(tmpdir(), "stackwright-broken-bin-"));
    for (const part of ["etcd", "kube-controller-manager", "kubectl"])
      await symlink(join(real, part), join(bin, part));
    const broken = join(bin, "kube-apiserver");
    await writeFile(broken, "#!/bin/sh\necho 'Error: the broken API server of this test' >&2\nexit 3\n");
    await chmod(broken, 0o755);
    const before = new Set(await clusterDirs());

    await assert.rejects(startLocalCluster({ crdDir: PKO_CRD_DIR, binDir: bin }), (error: Error) => {
      assert.match(
        error.message,
        /^local cluster: kube-apiserver exited \(exit 3\); its log is \S+kube-apiserver\.log/,
      );
      assert.match(error.message, /the broken API server of this test/);
      return true;
    });
    // Nothing left behind: no etcd of this attempt, no directory.
    const left = (await clusterDirs()).filter((dir) => !before.has(dir));
    assert.deepEqual(left, []);
    const { stdout } = await run("ps", ["-eo", "args"]);
    assert.ok(!stdout.split("\n").some((line) => line.startsWith(join(bin, "etcd"))), "etcd still runs");
  });

  it("names the variable when its binaries are missing", () => {
    assert.throws(() => clusterBinDir(""), /STACKWRIGHT_KUBE_BIN is not set/);
    assert.throws(
      () => clusterBinDir(tmpdir()),
      /binaries are incomplete in .*: missing etcd, kube-apiserver/,
    );
  });
});

async function clusterDirs(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith("stackwright-cluster-"));
}
