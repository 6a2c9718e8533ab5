import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./paths";

export interface StageRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Files in the output directory after the run, by name. */
  readonly files: Record<string, string>;
}

export type StageName = "program-stage" | "stack-stage";

/** Runs a compiled stage entry point as its own process, the way a workflow container does. */
export function runStageProcess(
  stage: StageName,
  env: Record<string, string | undefined>,
): Promise<StageRun> {
  // The bundles are what ships: the package's bins and the stage image run them.
  const script = join(REPO_ROOT, "dist", "stages", `${stage}.js`);
  const cleanEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) cleanEnv[k] = v;
  return new Promise((resolve) => {
    execFile(process.execPath, [script], { env: cleanEnv }, async (error, stdout, stderr) => {
      const dir = env.KRATIX_OUTPUT_DIR;
      const files: Record<string, string> = {};
      if (dir) {
        for (const name of await readdir(dir).catch(() => []))
          files[name] = await readFile(join(dir, name), "utf8");
      }
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr, files });
    });
  });
}

export function tempOutputDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "stackwright-out-"));
}
