import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, symlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { createIsolatedEngine, type IsolatedEngine, runCommand } from "../support/isolated-engine";
import type { LocalCluster } from "../support/local-cluster";
import { fixture, REPO_ROOT } from "../support/paths";
import { testCluster } from "../support/test-cluster";

const run = promisify(execFile);
const GUIDE = join(REPO_ROOT, "examples", "stack-config", "README.md");
const PROJECTS = ["typescript-complete", "python-workflow", "go-advanced"] as const;

/**
 * The guide's quick start, run as a new user would: its own bash blocks, taken from the guide
 * rather than retyped, in a fresh copy of the repository (built once, as the guide's prerequisites
 * say), against the local API server. Step 1 has one block per project; every other block is
 * shared.
 */
function quickStartBlocks(project: string): string[] {
  const guide = readFileSync(GUIDE, "utf8");
  const start = guide.indexOf("\n## Quick start\n");
  const end = guide.indexOf("\n## ", start + 1);
  assert.ok(start >= 0 && end > start, "the guide has a Quick start section");
  const blocks = [...guide.slice(start, end).matchAll(/```bash\n([\s\S]*?)```/g)].map(([, code]) =>
    (code as string).replace(/^ {3}/gm, ""),
  );
  const projectBlock = (block: string) => /cd examples\/stack-config\//.test(block);
  const own = blocks.filter((b) => projectBlock(b) && b.includes(`cd examples/stack-config/${project}\n`));
  assert.equal(own.length, 1, `one step-1 block for ${project}`);
  return blocks.flatMap((b) => (projectBlock(b) ? (b === own[0] ? [b] : []) : [b]));
}

/** The repository's files as a clone has them, with the build (dist/, node_modules/) linked in. */
async function freshClone(into: string): Promise<string> {
  const { stdout } = await run("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
    cwd: REPO_ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  const clone = join(into, "stackwright");
  for (const file of stdout.split("\0").filter((f) => f !== "")) {
    await mkdir(dirname(join(clone, file)), { recursive: true });
    await copyFile(join(REPO_ROOT, file), join(clone, file)).catch((error: NodeJS.ErrnoException) => {
      // Deleted in the work tree but not yet in the index: a clone would not have it either.
      if (error.code !== "ENOENT") throw error;
    });
  }
  for (const built of ["dist", "node_modules"]) await symlink(join(REPO_ROOT, built), join(clone, built));
  return clone;
}

let engine: IsolatedEngine;
let cluster: LocalCluster;
before(async () => {
  [engine, cluster] = await Promise.all([createIsolatedEngine(), testCluster()]);
});
after(async () => Promise.all([engine?.dispose(), cluster?.stop()]));

describe("examples/stack-config: the guide's quick start, as written", () => {
  // A hung install or update fails the test instead of the whole run.
  for (const project of PROJECTS)
    it(`${project}: install, stack init, preview, up of dev and staging, destroy`, {
      timeout: 600_000,
    }, async () => {
      const home = await mkdtemp(join(engine.dir, `${project}-home-`));
      const clone = await freshClone(await mkdtemp(join(engine.dir, `${project}-clone-`)));
      const script = ["set -euo pipefail", ...quickStartBlocks(project)].join("\n");
      // A new user's shell: the machine's environment and the toolchain on PATH, a home of their
      // own and a cluster; nothing of the tests' (no backend, no passphrase, no Python interpreter
      // chosen for them). The machine's package caches stay, so that a new home does not mean
      // downloading everything again.
      const env: NodeJS.ProcessEnv = {
        ...engine.env,
        PULUMI_BACKEND_URL: undefined,
        PULUMI_CONFIG_PASSPHRASE: undefined,
        PULUMI_CONFIG_PASSPHRASE_FILE: undefined,
        PULUMI_PYTHON_CMD: undefined,
        STACKWRIGHT_TEST_KUBECONFIG: undefined,
        HOME: home,
        KUBECONFIG: cluster.kubeconfig,
        GOMODCACHE: (await run("go", ["env", "GOMODCACHE"])).stdout.trim(),
        GOCACHE: (await run("go", ["env", "GOCACHE"])).stdout.trim(),
        npm_config_cache: join(process.env.HOME ?? "", ".npm"),
        PIP_CACHE_DIR: join(process.env.HOME ?? "", ".cache", "pip"),
      };
      const result = await runCommand("bash", ["-c", script], { cwd: clone, env, input: undefined });
      const output = `${result.stdout}${result.stderr}`;
      assert.equal(result.code, 0, output);
      // Step 4's kubectl: the dev environment's objects, read from the API server.
      assert.match(result.stdout, /program\.pulumi\.com\/dev-orders-1-[0-9a-f]{8}/);
      assert.match(result.stdout, /stack\.pulumi\.com\/dev-orders-1-[0-9a-f]{8}/);
      assert.match(result.stdout, /staging-orders-2-[0-9a-f]{8}/);
      for (const line of readFileSync(fixture("stack-config", "example-only", "dev.secrets"), "utf8").split(
        "\n",
      ))
        if (line.includes("="))
          assert.ok(!output.includes(line.slice(line.indexOf("=") + 1)), "a credential was printed");
      // Step 6 cleaned up: the environments' namespaces are gone.
      const left = await cluster.kubectl([
        "get",
        "namespace",
        "orders-dev",
        "orders-staging",
        "--ignore-not-found",
        "-o",
        "name",
      ]);
      assert.equal(left.stdout.trim(), "");
    });
});
