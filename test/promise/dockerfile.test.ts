import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
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

  it("ships no build tooling: the final stage copies only the stage bundles and the schema", () => {
    const copies = finalStage.filter((l) => /^COPY /.test(l));
    for (const copy of copies) {
      assert.ok(
        /--from=build \/src\/dist\/stages /.test(copy) || copy.trim().endsWith(IMAGE_SCHEMA_PATH),
        copy,
      );
    }
    assert.ok(!finalStage.some((l) => /npm (install|ci)/.test(l)), "no npm install in the final stage");
  });

  it("names both entry points and bakes the schema where the Promise looks for it", () => {
    const text = finalStage.join("\n");
    assert.match(text, new RegExp(`/usr/local/bin/${PROGRAM_STAGE_COMMAND}\\b`));
    assert.match(text, new RegExp(`/usr/local/bin/${STACK_STAGE_COMMAND}\\b`));
    assert.match(text, /\/app\/stages\/program-stage\.js/);
    assert.match(text, /\/app\/stages\/stack-stage\.js/);
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

  it("builds bundles that load nothing but Node.js built-ins", () => {
    for (const stage of ["program-stage", "stack-stage"]) {
      const bundle = readFileSync(join(REPO_ROOT, "dist", "stages", `${stage}.js`), "utf8");
      assert.ok(bundle.startsWith("#!/usr/bin/env node"), `${stage} keeps its shebang`);
      for (const [, id] of bundle.matchAll(/require\("([^"]+)"\)/g)) {
        const name = (id as string).replace(/^node:/, "");
        assert.ok(builtinModules.includes(name), `${stage} loads ${id} at run time`);
      }
    }
  });

  it("builds the bundles with the same script as npm run build", () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
    assert.match(pkg.scripts["bundle:stages"], /--outdir=dist\/stages/);
    assert.ok(stages[0]?.some((l) => /npm run --silent bundle:stages/.test(l)));
  });
});
