import { mkdir, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import type { TemplateLanguage } from "../../domain/catalogue";
import {
  isDirectory,
  makeBuildDir,
  publishByRename,
  replaceFile,
  replaceLink,
  sweepAbandonedBuilds,
} from "./build-dirs";
import { NpmInstalls } from "./npm-installs";
import {
  PROJECT_FILE,
  type PulumiProjectFile,
  readProjectFile,
  virtualenvOf,
  withVirtualenv,
  writeProgramFiles,
} from "./program-files";
import { PythonVenvs } from "./python-venvs";
import { assertRegistryDependencies } from "./registry-dependencies";
import { SharedBuilds } from "./shared-builds";

export interface TemplateWorkspaceOptions {
  /** Where each version's files are written, one directory per content hash. */
  readonly versionsDir: string;
  /**
   * Where installed dependency sets are kept, one per lockfile/dependency hash; may be shared by
   * several services (and by test runs, to stay warm).
   */
  readonly installsDir: string;
  /** The environment for npm / python (PATH, HOME, npm/pip caches, proxies); nothing secret is in it. */
  readonly env: NodeJS.ProcessEnv;
  /** The interpreter virtualenvs are made with: python3 on PATH unless given. */
  readonly python?: string;
  /** npm on PATH unless given. */
  readonly npm?: string;
  readonly onProgress?: (message: string) => void;
}

/** A published template version, as much of it as its program needs. */
export interface TemplateProgram {
  readonly contentHash: string;
  readonly language: TemplateLanguage;
  readonly files: Readonly<Record<string, string>>;
  readonly dependencies: Readonly<Record<string, string>>;
}

export interface PreparedTemplate {
  /** The program, ready to run: only ever read (a stack runs in a view of it, as a project workload does). */
  readonly dir: string;
  /** Pulumi.yaml's runtime: nodejs, python or yaml. */
  readonly runtime: string;
  /** Pulumi.yaml's project name. */
  readonly project: string;
}

/** The template's dependencies, with the code check's TypeScript unless it names its own. */
function withCheckersTypeScript(dependencies: Readonly<Record<string, string>>): Record<string, string> {
  if (Object.hasOwn(dependencies, "typescript")) return { ...dependencies };
  const { version } = createRequire(__filename)("typescript/package.json") as { version: string };
  return { ...dependencies, typescript: version };
}

const CONTENT_HASH = /^sha256:([0-9a-f]{64})$/;

/**
 * Template versions materialised as Pulumi programs, each once per content hash into
 * `<versionsDir>/<hex>`: its files, and its dependencies installed in `installsDir` (npm installs
 * by resolved lockfile, virtualenvs by dependency set) and linked to. A version's content never
 * changes, so its directory is reused for as long as it exists.
 *
 * A TypeScript template runs with the TypeScript its code was checked with before it was saved
 * (template-code-check, the service's own `typescript`): installed beside its dependencies unless
 * it names one itself. Otherwise the Pulumi Node.js SDK would fall back to the TypeScript 3.8 it
 * carries, and a program the check accepted (`satisfies`, say) would fail at deploy.
 */
export class TemplateWorkspaces {
  private readonly versionsDir: string;
  private readonly installsDir: string;
  private readonly progress: (message: string) => void;
  private readonly versions = new SharedBuilds<PreparedTemplate>();
  private readonly npm: NpmInstalls;
  private readonly python: PythonVenvs;
  private swept: Promise<void> | undefined;

  constructor(options: TemplateWorkspaceOptions) {
    this.versionsDir = resolve(options.versionsDir);
    this.installsDir = resolve(options.installsDir);
    this.progress = options.onProgress ?? (() => undefined);
    const installs = new SharedBuilds<string>();
    this.npm = new NpmInstalls({
      root: join(this.installsDir, "npm"),
      npm: options.npm ?? "npm",
      env: options.env,
      builds: installs,
      progress: this.progress,
    });
    this.python = new PythonVenvs({
      root: join(this.installsDir, "python"),
      python: options.python ?? "python3",
      env: options.env,
      builds: installs,
      progress: this.progress,
    });
  }

  /**
   * The directory holding the version's program with its dependencies installed: built once per
   * content hash, reused after; safe when several jobs (even several processes) ask for the same
   * version at once. A failed build leaves nothing behind and throws the package manager's own
   * words.
   */
  prepare(version: TemplateProgram, signal?: AbortSignal): Promise<PreparedTemplate> {
    const hex = CONTENT_HASH.exec(version.contentHash)?.[1];
    if (hex === undefined)
      return Promise.reject(
        new Error(`content hash ${JSON.stringify(version.contentHash)} is not sha256:<64 hex digits>`),
      );
    return this.versions.run(hex, (s) => this.materialise(hex, version, s), signal);
  }

  private async materialise(
    hex: string,
    version: TemplateProgram,
    signal: AbortSignal,
  ): Promise<PreparedTemplate> {
    if (version.language === "yaml" && Object.keys(version.dependencies).length > 0)
      throw new Error("a YAML template installs nothing; its providers come as plugins");
    assertRegistryDependencies(version.dependencies);
    const project = readProjectFile(version.files[PROJECT_FILE], version.language);
    await this.sweepOnce();
    const dir = join(this.versionsDir, hex);
    const prepared = { dir, runtime: project.runtime, project: project.project };
    const label = `template ${hex.slice(0, 12)}`;
    if (await isDirectory(dir)) {
      await this.reconnect(dir, version, project, signal);
      this.progress(`${label}: ready (cached)`);
      return prepared;
    }

    const started = Date.now();
    this.progress(`${label}: building ${version.language} program`);
    const build = await makeBuildDir(this.versionsDir, hex);
    try {
      await writeProgramFiles(
        build,
        version.files,
        version.language === "typescript" ? ["node_modules"] : [],
      );
      await this.connect(build, version, project, signal);
      if (!(await publishByRename(build, dir))) {
        // Another process published the same version first; its copy is as good as ours was.
        this.progress(`${label}: another process published it first; this copy is discarded`);
        await this.reconnect(dir, version, project, signal);
        return prepared;
      }
    } catch (error) {
      await rm(build, { recursive: true, force: true });
      throw error;
    }
    this.progress(`${label}: ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return prepared;
  }

  /** Installs a freshly written program's dependencies and points the program at them. */
  private async connect(
    dir: string,
    version: TemplateProgram,
    project: PulumiProjectFile,
    signal: AbortSignal,
  ): Promise<void> {
    switch (version.language) {
      case "typescript": {
        const withCompiler = { ...version, dependencies: withCheckersTypeScript(version.dependencies) };
        const packageJson = programPackageJson(withCompiler, project.project);
        this.progress("npm: resolving dependencies");
        const lockfile = await this.npm.resolve(withCompiler.dependencies, signal);
        const install = await this.npm.ensure(lockfile, signal);
        await writeFile(join(dir, "package.json"), packageJson);
        await writeFile(join(dir, "package-lock.json"), lockfile);
        await symlink(join(install, "node_modules"), join(dir, "node_modules"));
        return;
      }
      case "python": {
        const venv = await this.python.ensure(version.dependencies, signal);
        await writeFile(join(dir, PROJECT_FILE), withVirtualenv(project, venv));
        return;
      }
      case "yaml":
        return;
    }
  }

  /**
   * A published program's dependencies, checked on every reuse: installed again when the install
   * it links to was removed (installsDir is a cache), relinked in one step when it now lives
   * elsewhere (another installsDir, another interpreter). Nothing else of the program changes.
   */
  private async reconnect(
    dir: string,
    version: TemplateProgram,
    project: PulumiProjectFile,
    signal: AbortSignal,
  ): Promise<void> {
    switch (version.language) {
      case "typescript": {
        const install = await this.npm.ensure(await readFile(join(dir, "package-lock.json"), "utf8"), signal);
        const nodeModules = join(install, "node_modules");
        const link = join(dir, "node_modules");
        if ((await readlink(link).catch(() => undefined)) !== nodeModules)
          await replaceLink(link, nodeModules);
        return;
      }
      case "python": {
        const venv = await this.python.ensure(version.dependencies, signal);
        const current = readProjectFile(await readFile(join(dir, PROJECT_FILE), "utf8"), "python");
        if (virtualenvOf(current) !== venv)
          await replaceFile(join(dir, PROJECT_FILE), withVirtualenv(project, venv));
        return;
      }
      case "yaml":
        return;
    }
  }

  /** What processes killed mid-build left behind, removed once per instance (a directory read each). */
  private sweepOnce(): Promise<void> {
    this.swept ??= (async () => {
      await mkdir(this.versionsDir, { recursive: true });
      for (const dir of [this.versionsDir, join(this.installsDir, "npm"), join(this.installsDir, "python")])
        await sweepAbandonedBuilds(dir).catch((error: unknown) =>
          this.progress(`could not sweep ${dir}: ${error instanceof Error ? error.message : String(error)}`),
        );
    })();
    return this.swept;
  }
}

/**
 * The program's package.json, as the Node.js runtime reads it (main, type, exports): the
 * template's own when it has one, listing what is installed — the version's dependencies; npm
 * never runs here, so nothing else in it is acted on.
 */
function programPackageJson(version: TemplateProgram, project: string): string {
  const own = version.files["package.json"];
  let base: Record<string, unknown> = { name: project, private: true };
  if (own !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(own);
    } catch (error) {
      throw new Error(`the template's package.json is not JSON: ${(error as Error).message}`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
      throw new Error("the template's package.json is not a JSON object");
    base = parsed as Record<string, unknown>;
  }
  const { devDependencies: _notInstalled, ...rest } = base;
  return `${JSON.stringify({ ...rest, dependencies: version.dependencies }, null, 2)}\n`;
}
