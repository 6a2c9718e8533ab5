import { join, resolve } from "node:path";

/** The repository root, from dist/test/support (compiled) or test/support (source). */
export const REPO_ROOT = resolve(
  __dirname,
  __dirname.includes(`${join("dist", "test")}`) ? "../../.." : "../..",
);

export function fixture(...segments: string[]): string {
  return join(REPO_ROOT, "test", "fixtures", ...segments);
}

/** The example component package that the tests and the demo run offline. */
export const SAMPLE_COMPONENT_SCHEMA = join(REPO_ROOT, "examples", "sample-component", "schema.json");
export const SAMPLE_COMPONENT_BIN = join(REPO_ROOT, "examples", "sample-component", "bin");

/** The real PKO CRDs: the repository's copy (crds/, see its README for their source). */
export const PKO_CRD_DIR = join(REPO_ROOT, "crds");

/** The bootstrap's virtualenv interpreter; fails rather than falling back to another Python. */
export function pythonInterpreter(): string {
  const python = process.env.STACKWRIGHT_PYTHON;
  if (!python) throw new Error("STACKWRIGHT_PYTHON is not set: run the tests with ./dev.sh test");
  return python;
}
