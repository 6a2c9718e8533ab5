import { type Dirent, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Every file under `root` with its bytes as text (latin1, so any byte sequence reads), for tests
 * that search a data directory for a secret in plain text. A file or directory that vanishes
 * meanwhile (a job's scratch, removed as its job ends) is skipped, not an error.
 */
export function fileTexts(root: string): [string, string][] {
  const found: [string, string][] = [];
  let entries: Dirent[];
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) found.push(...fileTexts(path));
    else if (entry.isFile())
      try {
        found.push([path, readFileSync(path, "latin1")]);
      } catch {
        // Removed meanwhile.
      }
  }
  return found;
}
