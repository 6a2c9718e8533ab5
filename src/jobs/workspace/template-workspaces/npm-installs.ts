import { createHash } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isDirectory, makeBuildDir, publishByLink } from "./build-dirs";
import { runTool } from "./run-tool";
import type { SharedBuilds } from "./shared-builds";

/**
 * Never run a package's install scripts: they would be code of the tenant's choosing running on
 * the service's machine. The rest keeps npm from reaching out for anything but the packages.
 */
const NPM_FLAGS = ["--ignore-scripts", "--no-audit", "--no-fund", "--no-update-notifier"] as const;

/** The name of the package.json npm resolves and installs from: the same for every template. */
const MANIFEST_NAME = "stackwright-template-dependencies";

export interface NpmSettings {
  /** installsDir/npm */
  readonly root: string;
  readonly npm: string;
  readonly env: NodeJS.ProcessEnv;
  readonly builds: SharedBuilds<string>;
  readonly progress: (message: string) => void;
}

/**
 * TypeScript templates' node_modules, one per resolved lockfile: resolving first (npm install
 * --package-lock-only, which installs and runs nothing) and keying the install by what was
 * resolved means two versions whose ranges resolve to the same packages share one install, and a
 * range that resolves differently later gets its own rather than a stale one.
 *
 * npm runs only in directories of its own under installsDir holding nothing but the package.json
 * written here: a template's files (an .npmrc naming another registry, say) never reach it.
 */
export class NpmInstalls {
  constructor(private readonly settings: NpmSettings) {}

  /** The lockfile npm resolves for `dependencies`, as text. */
  async resolve(dependencies: Readonly<Record<string, string>>, signal: AbortSignal): Promise<string> {
    const { root, npm, env } = this.settings;
    await mkdir(root, { recursive: true });
    const dir = await makeBuildDir(root, "resolve");
    try {
      await writeFile(join(dir, "package.json"), manifest(dependencies));
      await runTool(
        npm,
        ["install", "--package-lock-only", ...NPM_FLAGS],
        "npm install (resolving dependencies)",
        {
          cwd: dir,
          env,
          signal,
        },
      );
      return await readFile(join(dir, "package-lock.json"), "utf8");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** The directory holding the lockfile's install (its node_modules), installed when missing. */
  async ensure(lockfile: string, signal: AbortSignal): Promise<string> {
    const key = lockfileKey(lockfile);
    const final = join(this.settings.root, key);
    if (await isDirectory(final)) return final;
    return this.settings.builds.run(`npm:${key}`, (s) => this.install(lockfile, final, s), signal);
  }

  private async install(lockfile: string, final: string, signal: AbortSignal): Promise<string> {
    if (await isDirectory(final)) return final;
    const { root, npm, env, progress } = this.settings;
    await mkdir(root, { recursive: true });
    const key = lockfileKey(lockfile);
    const build = await makeBuildDir(root, key);
    try {
      await writeFile(join(build, "package.json"), manifest(rootDependencies(lockfile)));
      await writeFile(join(build, "package-lock.json"), lockfile);
      progress(`npm: installing lockfile ${key.slice(0, 12)} (${packageCount(lockfile)} packages)`);
      // ci installs exactly the lockfile, and fails rather than resolve anything anew.
      await runTool(npm, ["ci", "--omit=dev", ...NPM_FLAGS], "npm ci", { cwd: build, env, signal });
      // A template with no dependencies gets no node_modules from npm; the link needs a target.
      await mkdir(join(build, "node_modules"), { recursive: true });
      await publishByLink(build, final);
      return final;
    } catch (error) {
      await rm(build, { recursive: true, force: true });
      throw error;
    }
  }
}

/**
 * The install's key: the SHA-256 of every package the lockfile puts in node_modules — path,
 * version, source, integrity — in path order, leaving out the root entry, which only repeats the
 * ranges asked for. npm writes each entry's fields in a fixed order (lockfiles are made to be
 * diffed), so equal trees give equal keys.
 */
export function lockfileKey(lockfile: string): string {
  const lock = parseLockfile(lockfile);
  const packages = Object.entries(lock.packages)
    .filter(([path]) => path !== "")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash("sha256")
    .update(JSON.stringify([lock.lockfileVersion, packages]))
    .digest("hex");
}

function rootDependencies(lockfile: string): Record<string, string> {
  const root = parseLockfile(lockfile).packages[""] as { dependencies?: Record<string, string> } | undefined;
  return root?.dependencies ?? {};
}

function packageCount(lockfile: string): number {
  return Object.keys(parseLockfile(lockfile).packages).length - 1;
}

function parseLockfile(lockfile: string): { lockfileVersion: unknown; packages: Record<string, unknown> } {
  const lock = JSON.parse(lockfile) as { lockfileVersion?: unknown; packages?: unknown };
  if (lock.packages === null || typeof lock.packages !== "object")
    throw new Error("package-lock.json has no packages (npm 7 or later writes them)");
  return { lockfileVersion: lock.lockfileVersion, packages: lock.packages as Record<string, unknown> };
}

function manifest(dependencies: Readonly<Record<string, string>>): string {
  return `${JSON.stringify({ name: MANIFEST_NAME, version: "0.0.0", private: true, dependencies }, null, 2)}\n`;
}
