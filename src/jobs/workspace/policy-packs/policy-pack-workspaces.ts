import { createHash } from "node:crypto";
import { mkdir, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { PolicyPack } from "../../domain/policy-pack";
import { isDirectory, makeBuildDir, publishByRename, replaceLink } from "../template-workspaces/build-dirs";
import { NpmInstalls } from "../template-workspaces/npm-installs";
import { assertRegistryDependencies } from "../template-workspaces/registry-dependencies";
import { SharedBuilds } from "../template-workspaces/shared-builds";
import { checkPackCode, PACK_MAIN } from "./pack-code";

/**
 * The CrossGuard SDK every pack runs with, pinned by the service: the engine speaks to a pack
 * through it, and @pulumi/pulumi is the service's own engine SDK version.
 */
export const POLICY_SDK_DEPENDENCIES: Readonly<Record<string, string>> = {
  "@pulumi/policy": "1.21.0",
  "@pulumi/pulumi": "3.259.0",
};

/** The pack's real main: it makes the pack's own directory the working directory first. */
const ENTRY_FILE = "stackwright-policy-entry.js";

export interface PolicyPackWorkspaceOptions {
  /** Where each pack version is written, one directory per content. */
  readonly packsDir: string;
  /** Shared with the templates' installs (TemplateWorkspaces): one node_modules per resolved lockfile. */
  readonly installsDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly npm?: string;
  readonly onProgress?: (message: string) => void;
}

/**
 * Policy pack versions made ready for the engine's `--policy-pack`: the pack's files (TypeScript
 * compiled), the package.json and PulumiPolicy.yaml the engine reads, and the pinned policy SDK
 * with the pack's dependencies installed and linked. Built once per content, reused after.
 */
export class PolicyPackWorkspaces {
  private readonly packsDir: string;
  private readonly builds = new SharedBuilds<string>();
  private readonly npm: NpmInstalls;
  private readonly progress: (message: string) => void;

  constructor(options: PolicyPackWorkspaceOptions) {
    this.packsDir = resolve(options.packsDir);
    this.progress = options.onProgress ?? (() => undefined);
    this.npm = new NpmInstalls({
      root: join(resolve(options.installsDir), "npm"),
      npm: options.npm ?? "npm",
      env: options.env,
      builds: new SharedBuilds<string>(),
      progress: this.progress,
    });
  }

  /** The directory to give the engine as `--policy-pack`. */
  prepare(pack: PolicyPack, signal?: AbortSignal): Promise<string> {
    const key = createHash("sha256")
      .update(JSON.stringify([pack.contentHash, pack.name, pack.version, POLICY_SDK_DEPENDENCIES]))
      .digest("hex");
    return this.builds.run(key, (s) => this.materialise(key, pack, s), signal);
  }

  private async materialise(key: string, pack: PolicyPack, signal: AbortSignal): Promise<string> {
    const dir = join(this.packsDir, key);
    const label = `policy pack ${pack.name}@${pack.version}`;
    if (await isDirectory(dir)) {
      await this.relink(dir, signal);
      return dir;
    }
    const dependencies = { ...pack.dependencies, ...POLICY_SDK_DEPENDENCIES };
    assertRegistryDependencies(dependencies);
    const code = checkPackCode(pack.language, pack.files);
    if (code.problems.length > 0)
      throw new Error(`${label}: ${code.problems.map((p) => `${p.at}: ${p.message}`).join("; ")}`);
    this.progress(`${label}: building`);
    await mkdir(this.packsDir, { recursive: true });
    const build = await makeBuildDir(this.packsDir, key);
    try {
      for (const [path, text] of code.runnable) {
        await mkdir(dirname(join(build, path)), { recursive: true });
        await writeFile(join(build, path), text);
      }
      const main = PACK_MAIN[pack.language].replace(/ts$/, "js");
      await writeFile(join(build, ENTRY_FILE), entryScript(main));
      await writeFile(
        join(build, "package.json"),
        `${JSON.stringify({ name: pack.name, version: `${pack.version}.0.0`, private: true, main: ENTRY_FILE, dependencies }, null, 2)}\n`,
      );
      // The engine loads the pack with its Node.js language host, by this file's runtime.
      await writeFile(
        join(build, "PulumiPolicy.yaml"),
        `runtime: nodejs\nname: ${pack.name}\nversion: ${pack.version}.0.0\n`,
      );
      const lockfile = await this.npm.resolve(dependencies, signal);
      await writeFile(join(build, "package-lock.json"), lockfile);
      const install = await this.npm.ensure(lockfile, signal);
      await symlink(join(install, "node_modules"), join(build, "node_modules"));
      if (!(await publishByRename(build, dir))) await rm(build, { recursive: true, force: true });
    } catch (error) {
      await rm(build, { recursive: true, force: true });
      throw error;
    }
    this.progress(`${label}: ready`);
    return dir;
  }

  /** The install a kept pack links to, installed again if the shared installs were cleared. */
  private async relink(dir: string, signal: AbortSignal): Promise<void> {
    const install = await this.npm.ensure(await readFile(join(dir, "package-lock.json"), "utf8"), signal);
    const nodeModules = join(install, "node_modules");
    const link = join(dir, "node_modules");
    if ((await readlink(link).catch(() => undefined)) !== nodeModules) await replaceLink(link, nodeModules);
  }
}

/**
 * @pulumi/policy reads the pack's version from package.json in the working directory, and the
 * engine starts a pack in the program's directory (which may have no package.json: a Python
 * template): the pack's own directory is made the working directory before its code runs.
 */
function entryScript(main: string): string {
  return `"use strict";\nprocess.chdir(__dirname);\nrequire(${JSON.stringify(`./${main}`)});\n`;
}
