import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, relative } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "../../support/paths";

describe("generated API code", () => {
  it("matches proto/ (run `npm run gen:api` after changing it)", () => {
    const out = mkdtempSync(join(tmpdir(), "stackwright-gen-"));
    try {
      const env = {
        ...process.env,
        PATH: `${join(REPO_ROOT, "node_modules", ".bin")}${delimiter}${process.env.PATH}`,
      };
      const buf = join(REPO_ROOT, "node_modules", ".bin", "buf");
      const lint = spawnSync(buf, ["lint", "proto"], { cwd: REPO_ROOT, env, encoding: "utf8" });
      assert.equal(lint.status, 0, lint.stdout + lint.stderr);
      const gen = spawnSync(buf, ["generate", "--template", "proto/buf.gen.yaml", "-o", out], {
        cwd: REPO_ROOT,
        env,
        encoding: "utf8",
      });
      assert.equal(gen.status, 0, gen.stdout + gen.stderr);
      const committed = join(REPO_ROOT, "src", "jobs", "api", "gen");
      const fresh = join(out, "src", "jobs", "api", "gen");
      const files = (dir: string) =>
        readdirSync(dir, { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
          .sort();
      assert.deepEqual(files(committed), files(fresh));
      for (const file of files(fresh))
        assert.equal(
          readFileSync(join(committed, file), "utf8"),
          readFileSync(join(fresh, file), "utf8"),
          `${file} differs from what proto/ generates`,
        );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
