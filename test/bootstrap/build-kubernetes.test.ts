import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCommand } from "../support/isolated-engine";
import { REPO_ROOT } from "../support/paths";

/**
 * The bootstrap's Kubernetes builds fail with one message naming the step and leave no cache a
 * later run would trust. Runs the script's own functions in a cache directory of the test's.
 */
describe("scripts/build-kubernetes.sh", () => {
  const inBootstrap = async (cache: string, call: string) =>
    runCommand(
      "bash",
      ["-c", `source scripts/bootstrap.sh && source scripts/build-kubernetes.sh && ${call}`],
      { cwd: REPO_ROOT, env: { ...process.env, STACKWRIGHT_CACHE: cache }, input: undefined },
    );

  it("names the download step when the provider's module version is not served, and caches nothing", async () => {
    const cache = await mkdtemp(join(tmpdir(), "stackwright-cache-"));
    const target = join(cache, "kubernetes-provider-4.25.0");
    const result = await inBootstrap(
      cache,
      `sw_build_kubernetes_provider ${target} 4.25.0 github.com/pulumi/pulumi-kubernetes/provider/v4 v4.0.0-20000101000000-000000000000`,
    );
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /^bootstrap: error: step 'download github\.com\/pulumi\/pulumi-kubernetes\/provider\/v4@v4\.0\.0-20000101000000-000000000000'/m,
    );
    assert.equal(result.stderr.match(/bootstrap: error:/g)?.length, 1, result.stderr);
    assert.ok(!existsSync(target), "a cache was left");
    assert.deepEqual(await readdir(cache), [], "a half-built directory was left");
  });

  it("names a failed build step and shows the end of its output", async () => {
    const cache = await mkdtemp(join(tmpdir(), "stackwright-cache-"));
    const started = Date.now();
    const result = await inBootstrap(
      cache,
      `sw_build_log=${join(cache, "log")} && sw_build_step "the broken part" sh -c 'echo compiler says no; exit 7'`,
    );
    // The progress ticker's 30 s sleep used to outlive the step and hold the output open: the
    // caller saw the failure only when it ended.
    assert.ok(Date.now() - started < 20_000, `the step's output stayed open ${Date.now() - started} ms`);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /compiler says no/);
    assert.match(result.stderr, /bootstrap: error: step 'build the broken part' failed \(exit 7\)/);
  });
});
