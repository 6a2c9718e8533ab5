import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, resolve } from "node:path";
import { describe, it } from "node:test";
import { IMAGE_SCHEMA_PATH, PROGRAM_STAGE_COMMAND, STACK_STAGE_COMMAND } from "../../src/promise/stage-image";
import { REPO_ROOT } from "../support/paths";

// No Docker engine runs here, so the image is checked by reading its Dockerfile and by following
// what the entry points load.
const dockerfile = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8");
const instructions = dockerfile
  .replace(/\\\n/g, " ")
  .split("\n")
  .filter((l) => l.trim() !== "" && !l.trimStart().startsWith("#"));
const stages = instructions.reduce<string[][]>((acc, line) => {
  if (/^FROM /i.test(line)) acc.push([line]);
  else acc[acc.length - 1]?.push(line);
  return acc;
}, []);
const finalStage = stages[stages.length - 1] ?? [];

describe("stage image Dockerfile", () => {
  it("is multi-stage and runs as a non-root user", () => {
    assert.ok(stages.length >= 2, "multi-stage");
    const user = finalStage.filter((l) => /^USER /.test(l)).pop();
    assert.ok(user !== undefined && !/^USER\s+(root|0)(\s|$)/.test(user), `final stage user: ${user}`);
  });

  it("ships only production dependencies", () => {
    const depsStage = stages.find((s) => s.some((l) => /--omit=dev/.test(l)));
    assert.ok(depsStage, "a stage installs with --omit=dev");
    const name = /AS\s+(\S+)/i.exec(depsStage[0] as string)?.[1];
    const modulesCopy = finalStage.find((l) => /^COPY .*node_modules/.test(l));
    assert.ok(modulesCopy?.includes(`--from=${name}`), `node_modules come from ${name}: ${modulesCopy}`);
  });

  it("names both entry points and bakes the schema where the Promise looks for it", () => {
    const text = finalStage.join("\n");
    assert.match(text, new RegExp(`/usr/local/bin/${PROGRAM_STAGE_COMMAND}\\b`));
    assert.match(text, new RegExp(`/usr/local/bin/${STACK_STAGE_COMMAND}\\b`));
    assert.match(text, /dist\/src\/stages\/program-stage\.js/);
    assert.match(text, /dist\/src\/stages\/stack-stage\.js/);
    assert.ok(finalStage.some((l) => l.startsWith("COPY ") && l.trim().endsWith(IMAGE_SCHEMA_PATH)));
  });

  it("copies every file its build needs from the repository", () => {
    for (const line of instructions.filter(
      (l) => /^COPY /.test(l) && !l.includes("--from") && !l.includes("${"),
    )) {
      const sources = line.split(/\s+/).slice(1, -1);
      for (const source of sources)
        assert.ok(existsSync(join(REPO_ROOT, source)), `${line}: ${source} is missing`);
    }
  });

  it("gives the entry points everything they load: compiled sources and production dependencies only", () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
    const production = new Set(Object.keys(pkg.dependencies ?? {}));
    const dist = join(REPO_ROOT, "dist");
    const seen = new Set<string>();
    const packagesUsed = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      assert.ok(
        file.startsWith(join(dist, "src")) || file.startsWith(join(dist, "engine")),
        `${file} is not copied into the image`,
      );
      const source = readFileSync(file, "utf8");
      for (const [, spec] of source.matchAll(/require\("([^"]+)"\)/g)) {
        const id = spec as string;
        if (id.startsWith(".")) {
          const base = resolve(dirname(file), id);
          visit(
            existsSync(`${base}.js`)
              ? `${base}.js`
              : existsSync(base) && base.endsWith(".json")
                ? base
                : join(base, "index.js"),
          );
        } else if (!id.startsWith("node:") && !builtinModules.includes(id)) {
          packagesUsed.add(
            id.startsWith("@") ? id.split("/").slice(0, 2).join("/") : (id.split("/")[0] as string),
          );
        }
      }
    };
    visit(join(dist, "src", "stages", "program-stage.js"));
    visit(join(dist, "src", "stages", "stack-stage.js"));
    for (const used of packagesUsed)
      assert.ok(production.has(used), `${used} is not a production dependency`);
    assert.ok(packagesUsed.has("js-yaml"), "the stages read and write YAML");
  });
});
