import { execFile } from "node:child_process";
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "./paths";

const run = promisify(execFile);

/**
 * What `npm install` makes of a user's TypeScript project here, without the network: the Pulumi
 * SDKs and TypeScript from the repository's node_modules, and the repository itself as the
 * `stackwright` package (its built dist/, as npm would install it from the registry).
 */
export async function linkTypescriptDependencies(projectDir: string): Promise<void> {
  await mkdir(join(projectDir, "node_modules"));
  for (const dependency of ["@pulumi", "@types", "typescript"])
    await symlink(join(REPO_ROOT, "node_modules", dependency), join(projectDir, "node_modules", dependency));
  await symlink(REPO_ROOT, join(projectDir, "node_modules", "stackwright"));
}

/**
 * A copy of a Go project that requires sdk/go by a relative `replace`: points the replace at the
 * repository's sdk/go, where the copy can no longer reach it relatively.
 */
export async function pointGoProjectAtSdk(projectDir: string): Promise<void> {
  const sdk = join(REPO_ROOT, "sdk", "go", "stackwright");
  await run("go", ["mod", "edit", `-replace=github.com/stackwright/stackwright/sdk/go/stackwright=${sdk}`], {
    cwd: projectDir,
  });
}
