import { type Dirent, lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Problem, StackwrightInputError } from "../../core/errors";
import { TEMPLATE_FILE_LIMITS } from "../../jobs/workspace/template-code-check/template-files";

/**
 * A template's program as the catalogue takes it, read from a directory: its regular files by
 * `/`-separated relative path. What an install or a stack leaves beside the program is skipped:
 * dependency and tool directories at any depth, and the stack settings files (Pulumi.<stack>.yaml)
 * at the top, which belong to one stack, never to a template. A symbolic link is refused, not
 * followed: it could bring in a file from anywhere on this machine.
 */

const SKIPPED_DIRECTORIES = new Set(["node_modules", "venv", ".venv", ".git", "__pycache__"]);
const STACK_SETTINGS = /^Pulumi\.[^/]+\.ya?ml$/;

export function readProgramDirectory(flag: string, dir: string): Record<string, string> {
  const root = resolve(dir);
  let isDirectory = false;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch {
    // Reported below, as for a file.
  }
  if (!isDirectory) throw StackwrightInputError.single(flag, `${dir} is not a directory`);

  const files: Record<string, string> = {};
  const problems: Problem[] = [];
  const refuse = (path: string, message: string) =>
    problems.push({ at: flag, message: `${path}: ${message}` });
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let count = 0;
  const walk = (relative: string): boolean => {
    const entries: Dirent[] = readdirSync(join(root, relative), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const entry of entries) {
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (SKIPPED_DIRECTORIES.has(entry.name)) continue;
        if (!walk(path)) return false;
      } else if (entry.isSymbolicLink())
        refuse(path, "is a symbolic link; copy the file it points to instead");
      else if (!entry.isFile()) refuse(path, "is not a regular file");
      else if (relative === "" && STACK_SETTINGS.test(entry.name) && entry.name !== "Pulumi.yaml") continue;
      else {
        if (++count > TEMPLATE_FILE_LIMITS.maxFiles) {
          refuse(dir, `holds more than ${TEMPLATE_FILE_LIMITS.maxFiles} files, a template's most`);
          return false;
        }
        const full = join(root, path);
        // Sized before it is read: a stray build artefact must not be loaded whole to be refused.
        const size = lstatSync(full).size;
        if (size > TEMPLATE_FILE_LIMITS.maxFileBytes) {
          refuse(
            path,
            `is ${size} bytes; a template's files are at most ${TEMPLATE_FILE_LIMITS.maxFileBytes}`,
          );
          continue;
        }
        let bytes: Buffer;
        try {
          bytes = readFileSync(full);
        } catch (error) {
          refuse(path, `cannot be read (${(error as NodeJS.ErrnoException).code})`);
          continue;
        }
        try {
          files[path] = decoder.decode(bytes);
        } catch {
          refuse(path, "is not UTF-8 text; a template's files are text");
        }
      }
    }
    return true;
  };
  walk("");
  if (problems.length > 0) throw new StackwrightInputError(problems);
  return files;
}
