import { createHash } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { isDirectory, makeBuildDir, publishByLink } from "./build-dirs";
import { runTool } from "./run-tool";
import type { SharedBuilds } from "./shared-builds";

/**
 * Wheels only: building a source distribution runs its setup code, which would be code of the
 * tenant's choosing running on the service's machine.
 */
const PIP_FLAGS = [
  "--only-binary=:all:",
  "--disable-pip-version-check",
  "--no-input",
  "--progress-bar=off",
] as const;

export interface PythonSettings {
  /** installsDir/python */
  readonly root: string;
  readonly python: string;
  readonly env: NodeJS.ProcessEnv;
  readonly builds: SharedBuilds<string>;
  readonly progress: (message: string) => void;
}

/**
 * Python templates' virtualenvs, one per dependency set and interpreter. pip has no lockfile to
 * key by, and a template's versions are exact (name==version), so the set itself is the key; the
 * interpreter is part of it because a virtualenv runs the interpreter it was made with.
 */
export class PythonVenvs {
  private interpreter: Promise<string> | undefined;

  constructor(private readonly settings: PythonSettings) {}

  /** The virtualenv with exactly `dependencies` installed, made when missing. */
  async ensure(dependencies: Readonly<Record<string, string>>, signal: AbortSignal): Promise<string> {
    await mkdir(this.settings.root, { recursive: true });
    const key = venvKey(await this.identity(), dependencies);
    const final = join(this.settings.root, key);
    if (await isDirectory(final)) return final;
    return this.settings.builds.run(`python:${key}`, (s) => this.create(key, dependencies, final, s), signal);
  }

  private async create(
    key: string,
    dependencies: Readonly<Record<string, string>>,
    final: string,
    signal: AbortSignal,
  ): Promise<string> {
    if (await isDirectory(final)) return final;
    const { root, python, env, progress } = this.settings;
    // Made where it stays, and published as a link: a virtualenv's scripts name their absolute path.
    const build = await makeBuildDir(root, key);
    try {
      progress(`python: creating virtualenv ${key.slice(0, 12)}`);
      await runTool(python, ["-m", "venv", build], "python -m venv", { cwd: root, env, signal });
      const requirements = Object.entries(dependencies).map(([name, version]) => `${name}==${version}`);
      if (requirements.length > 0) {
        progress(`pip: installing ${requirements.join(" ")}`);
        await runTool(
          join(build, "bin", "python"),
          ["-m", "pip", "install", ...PIP_FLAGS, ...requirements],
          "pip install",
          {
            cwd: build,
            env,
            signal,
          },
        );
      }
      await publishByLink(build, final);
      return final;
    } catch (error) {
      await rm(build, { recursive: true, force: true });
      throw error;
    }
  }

  /** The interpreter's version and where it really is, asked once (it takes milliseconds). */
  private identity(): Promise<string> {
    this.interpreter ??= runTool(
      this.settings.python,
      [
        "-c",
        "import os, sys; print(sys.version); print(os.path.realpath(getattr(sys, '_base_executable', sys.executable)))",
      ],
      "python (finding the interpreter)",
      { cwd: this.settings.root, env: this.settings.env },
    ).catch((error: unknown) => {
      this.interpreter = undefined;
      throw error;
    });
    return this.interpreter;
  }
}

/** PyPI names compare case-insensitively, with runs of -, _ and . alike (PEP 503). */
function canonicalName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

export function venvKey(interpreter: string, dependencies: Readonly<Record<string, string>>): string {
  const packages = Object.entries(dependencies)
    .map(([name, version]) => [canonicalName(name), version])
    .sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1));
  return createHash("sha256")
    .update(JSON.stringify([interpreter, packages]))
    .digest("hex");
}
