import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { StackwrightInputError } from "../core/errors";

/**
 * Writes a set of files into a directory all or nothing: they are written into a temporary
 * directory beside it first, then moved into place, so a failure leaves nothing half-written.
 * A directory that exists and is not empty is refused unless `force` is set.
 */
export async function writeOutputDirectory(
  dir: string,
  files: Readonly<Record<string, string>>,
  options: { force: boolean; field: string; onWrite: (path: string) => void },
): Promise<void> {
  const target = resolve(dir);
  const existing = await stat(target).catch(() => undefined);
  if (existing !== undefined && !existing.isDirectory()) {
    throw StackwrightInputError.single(options.field, `${dir} exists and is not a directory`);
  }
  if (existing !== undefined && !options.force && (await readdir(target)).length > 0) {
    throw StackwrightInputError.single(
      options.field,
      `${dir} exists and is not empty; choose another directory or pass --force to overwrite its files`,
    );
  }
  const staging = join(dirname(target), `.${randomBytes(6).toString("hex")}.stackwright-init.tmp`);
  try {
    await mkdir(staging, { recursive: true });
    for (const [path, contents] of Object.entries(files)) {
      await mkdir(dirname(join(staging, path)), { recursive: true });
      await writeFile(join(staging, path), contents, "utf8");
    }
    if (existing === undefined) {
      await rename(staging, target);
    } else {
      for (const path of Object.keys(files)) {
        await mkdir(dirname(join(target, path)), { recursive: true });
        await rename(join(staging, path), join(target, path));
      }
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw StackwrightInputError.single(
      options.field,
      `${dir} cannot be written (${code ?? (error as Error).message})`,
    );
  } finally {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
  for (const path of Object.keys(files)) options.onWrite(join(dir, path));
}
