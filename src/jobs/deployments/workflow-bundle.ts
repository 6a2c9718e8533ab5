import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bundleWorkflowCode, type WorkflowBundleOption } from "@temporalio/worker";

/**
 * The workflows as Temporal's worker runs them: one webpack bundle of src/jobs/workflows. Webpack
 * takes over a second, so `npm run build` writes the bundle beside this module
 * (writeWorkflowBundle) and a worker loads it from there; a process whose workflows changed since
 * (a `tsc` alone, in development) bundles them itself instead, once, rather than run stale code.
 */
const BUNDLE_NAME = "workflows.bundle.js";
/** Beside the bundle: the SHA-256 of the sources it was made from (sourcesHash). */
const stampOf = (bundleFile: string) => `${bundleFile}.sha256`;
const WORKFLOWS_ENTRY = require.resolve("../workflows/index");
/** What the bundle is built from: the workflows, the domain types they import, Temporal's workflow SDK. */
const SOURCE_DIRS = [join(__dirname, "..", "workflows"), join(__dirname, "..", "domain")];

const QUIET = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

const bundled = new Map<string, Promise<WorkflowBundleOption>>();

/**
 * The bundle for a worker: the one in `dir` (the build's, by default) when it is of these
 * sources, else one made now, once per process.
 */
export function workflowBundle(dir = __dirname): Promise<WorkflowBundleOption> {
  const file = join(dir, BUNDLE_NAME);
  let bundle = bundled.get(file);
  if (bundle === undefined) {
    bundle = (async () => {
      const stamp = stampOf(file);
      if (existsSync(file) && existsSync(stamp) && readFileSync(stamp, "utf8") === sourcesHash())
        return { codePath: file };
      const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY, logger: QUIET });
      return { code };
    })();
    bundled.set(file, bundle);
  }
  return bundle;
}

/** Writes the bundle and its stamp into `dir` for workers to load (npm run build); gives its path. */
export async function writeWorkflowBundle(dir = __dirname): Promise<string> {
  const file = join(dir, BUNDLE_NAME);
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY, logger: QUIET });
  writeFileSync(`${file}.tmp`, code);
  renameSync(`${file}.tmp`, file);
  writeFileSync(stampOf(file), sourcesHash());
  return file;
}

function sourcesHash(): string {
  const hash = createHash("sha256");
  for (const dir of SOURCE_DIRS)
    for (const name of readdirSync(dir)
      .filter((file) => file.endsWith(".js"))
      .sort())
      hash
        .update(`${name}\0`)
        .update(readFileSync(join(dir, name)))
        .update("\0");
  const sdk = require.resolve("@temporalio/workflow/package.json");
  hash.update((JSON.parse(readFileSync(sdk, "utf8")) as { version: string }).version);
  return hash.digest("hex");
}
