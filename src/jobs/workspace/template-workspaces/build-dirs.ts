import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readlink, rename, rm, stat, symlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";

/**
 * Every cache entry — a version's directory, an npm install, a virtualenv — is built under a name
 * of its own beside its final name, and appears under the final name only once complete, in one
 * step: a half-built entry is never used. The build's name carries this host and process, so that
 * what a killed process left behind can be told from what a live one is still building.
 */
const HOST = createHash("sha256").update(hostname()).digest("hex").slice(0, 8);
const BUILD_NAME = /^(.+)\.b-([0-9a-f]{8})-(\d+)-[0-9a-f]+$/;

function buildName(name: string): string {
  return `${name}.b-${HOST}-${process.pid}-${randomBytes(6).toString("hex")}`;
}

/** A fresh, empty directory beside `parent/name`, to build that entry in. */
export async function makeBuildDir(parent: string, name: string): Promise<string> {
  const dir = join(parent, buildName(name));
  await mkdir(dir, { mode: 0o755 });
  return dir;
}

/**
 * Moves a finished build to its final name. False when another process got there first: its
 * entry stays, this build is discarded (both are the same content).
 */
export async function publishByRename(build: string, final: string): Promise<boolean> {
  try {
    await rename(build, final);
    return true;
  } catch (error) {
    if (!hasCode(error, "ENOTEMPTY", "EEXIST")) throw error;
    await rm(build, { recursive: true, force: true });
    return false;
  }
}

/**
 * Publishes a finished build, which stays where it was built, under its final name as a symbolic
 * link: for what cannot be moved once made — a virtualenv's scripts name its absolute path.
 * Creating a link fails when the name is taken, so of two processes one wins and the other
 * discards its build. A link left pointing at nothing (its build removed by hand) is replaced.
 */
export async function publishByLink(build: string, final: string): Promise<boolean> {
  try {
    await symlink(basename(build), final);
    return true;
  } catch (error) {
    if (!hasCode(error, "EEXIST")) throw error;
  }
  if (await isDirectory(final)) {
    await rm(build, { recursive: true, force: true });
    return false;
  }
  await replaceLink(final, basename(build));
  return true;
}

/** Points the link `path` at `target` in one step (a rename over it), whatever it pointed at before. */
export async function replaceLink(path: string, target: string): Promise<void> {
  const temporary = join(dirname(path), buildName(basename(path)));
  await symlink(target, temporary);
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Removes the builds in `parent` that a process of this host left behind when it died mid-build.
 * A live process's builds, another host's (a shared directory) and builds published as links are
 * kept.
 */
export async function sweepAbandonedBuilds(parent: string): Promise<void> {
  for (const entry of await readdir(parent).catch(() => [] as string[])) {
    const match = BUILD_NAME.exec(entry);
    if (match === null) continue;
    const [, name, host, pid] = match as unknown as [string, string, string, string];
    if (host !== HOST || isAlive(Number(pid))) continue;
    if ((await readlink(join(parent, name)).catch(() => undefined)) === entry) continue;
    await rm(join(parent, entry), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return hasCode(error, "EPERM");
  }
}

/** Whether `path` is a directory, through links. */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

export function hasCode(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && codes.includes((error as NodeJS.ErrnoException).code ?? "");
}

/** Replaces the file at `path` with `text` in one step: a reader sees the old file or the new, never part of one. */
export async function replaceFile(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), buildName(basename(path)));
  await writeFile(temporary, text, { flag: "wx", mode: 0o644 });
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
