import { execFileSync } from "node:child_process";

/**
 * Generated TypeScript formatted by the project's own Biome, with biome.json's settings, so that
 * generated files pass `biome check` as they are and the generators need not track its style.
 * `path` is where the file goes, relative to `root` (the repository, where biome.json is).
 */
export function formatTypeScript(text: string, path: string, root: string): string {
  return execFileSync(
    process.execPath,
    [require.resolve("@biomejs/biome/bin/biome"), "format", `--stdin-file-path=${path}`],
    { cwd: root, input: text, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] },
  );
}
