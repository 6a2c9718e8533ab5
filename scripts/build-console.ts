/**
 * npm run build:console: the web console's production build (type-check, then Vite) into
 * dist/console, kept in the bootstrap's cache ($STACKWRIGHT_CACHE/console-builds) under the
 * SHA-256 of everything it is made from — console/, the API's generated code it imports, and
 * package-lock.json for its dependencies. A clean clone of an unchanged console copies the build
 * instead of spending some 40 s (Monaco's TypeScript worker, mostly) making it again.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from "node:fs";
import { homedir } from "node:os";
import { join, relative, resolve } from "node:path";

const REPO = resolve(__dirname, "..", "..");
const OUT = join(REPO, "dist", "console");
const INPUTS = ["console", join("src", "jobs", "api", "gen"), "package-lock.json"];
/** Kept builds beyond these, oldest first, are removed. */
const KEEP = 3;

function inputsHash(): string {
  const hash = createHash("sha256");
  const add = (path: string) => {
    const full = join(REPO, path);
    if (statSync(full).isDirectory()) {
      for (const name of readdirSync(full).sort()) if (name !== "node_modules") add(join(path, name));
      return;
    }
    hash
      .update(`${relative(REPO, full)}\0`)
      .update(readFileSync(full))
      .update("\0");
  };
  for (const input of INPUTS) add(input);
  return hash.digest("hex");
}

function run(tool: string, args: string[]): void {
  const result = spawnSync(join(REPO, "node_modules", ".bin", tool), args, { cwd: REPO, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`build:console: ${tool} ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

const cacheRoot = join(
  process.env.STACKWRIGHT_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "stackwright"),
  "console-builds",
);
const cached = join(cacheRoot, inputsHash());
if (existsSync(cached)) {
  rmSync(OUT, { recursive: true, force: true });
  cpSync(cached, OUT, { recursive: true });
  // Used now: the last to be removed.
  const now = new Date();
  utimesSync(cached, now, now);
} else {
  run("tsc", ["-b", "console"]);
  run("vite", ["build", "console", "--logLevel", "warn"]);
  mkdirSync(cacheRoot, { recursive: true });
  const building = `${cached}.${process.pid}.tmp`;
  cpSync(OUT, building, { recursive: true });
  // Another build of the same inputs may have been kept meanwhile: either copy is as good.
  if (existsSync(cached)) rmSync(building, { recursive: true, force: true });
  else renameSync(building, cached);
  const kept = readdirSync(cacheRoot)
    .filter((name) => /^[0-9a-f]{64}$/.test(name))
    .map((name) => ({ path: join(cacheRoot, name), at: statSync(join(cacheRoot, name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const old of kept.slice(KEEP)) rmSync(old.path, { recursive: true, force: true });
}
