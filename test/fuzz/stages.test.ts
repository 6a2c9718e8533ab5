import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { parse as parseYaml11 } from "yaml";
import { StackwrightInputError } from "../../src/core/errors";
import { buildProgram, type ProgramManifest, prepareComponent } from "../../src/core/manifests";
import { parsePackageSchema } from "../../src/core/package-schema";
import { parseYaml, toYaml } from "../../src/core/yaml";
import { runProgramStage } from "../../src/stages/program-stage";
import { runStackStage } from "../../src/stages/stack-stage";
import { SAMPLE_COMPONENT_SCHEMA } from "../support/paths";
import { PkoCrdValidator } from "../support/pko-crds";
import { runStageProcess, type StageName } from "../support/stage-process";
import { arbitraryCase, CANARY, type FuzzCase, specArbitrary } from "./arbitraries";

/**
 * Property-based tests of the stages (issue 12): generated requests, schemas and environment
 * values. A bounded number of cases runs in the normal suite; `npm run fuzz` runs many more
 * (NUM_RUNS, default 5000), and FUZZ_SEED replays a failure.
 */
const NUM_RUNS = Number(process.env.NUM_RUNS ?? 150);
const SEED = process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) };
const crds = new PkoCrdValidator();
const scratch = mkdtempSync(join(tmpdir(), "stackwright-fuzz-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

interface Outcome {
  readonly code: number;
  readonly stderr: string;
  readonly files: Record<string, string>;
}

const STAGES = { "program-stage": runProgramStage, "stack-stage": runStackStage } as const;

/** A stage's main function, in process, with runStage's exit codes: input errors 1, the rest 2. */
async function runInProcess(stage: StageName, env: Record<string, string | undefined>): Promise<Outcome> {
  try {
    await STAGES[stage](env);
    return { code: 0, stderr: "", files: filesIn(env.KRATIX_OUTPUT_DIR as string) };
  } catch (error) {
    if (!(error instanceof StackwrightInputError)) {
      return {
        code: 2,
        stderr: String((error as Error)?.stack ?? error),
        files: filesIn(env.KRATIX_OUTPUT_DIR as string),
      };
    }
    const stderr = error.problems.map((p) => `stackwright-${stage}: error: ${p.at}: ${p.message}\n`).join("");
    return { code: 1, stderr, files: filesIn(env.KRATIX_OUTPUT_DIR as string) };
  }
}

function filesIn(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), "utf8")]));
}

/** Writes a case's files; returns the environment both stages read. */
function materialise(fuzz: FuzzCase): Record<string, string | undefined> {
  const dir = mkdtempSync(join(scratch, "case-"));
  const output = mkdtempSync(join(dir, "out-"));
  writeFileSync(join(dir, "request.yaml"), fuzz.requestText);
  writeFileSync(join(dir, "schema.json"), fuzz.schemaText);
  return {
    ...fuzz.env,
    KRATIX_INPUT_FILE: join(dir, "request.yaml"),
    KRATIX_OUTPUT_DIR: output,
    PULUMI_SCHEMA_SOURCE: join(dir, "schema.json"),
  };
}

/** A Pulumi YAML built-in function call: it lower-cases keys before comparing. */
const isBuiltinFunctionKey = (key: string) => /^fn::/i.test(key);

/**
 * Every `${…}` Pulumi YAML would evaluate in the text (`$$` is an escaped `$`): an unescaped
 * interpolation in a Program is Stackwright's own or a leak.
 */
function interpolations(text: string): number {
  let found = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== "$") continue;
    if (text[i + 1] === "$") i++;
    else if (text[i + 1] === "{") found++;
  }
  return found;
}

/** Strings and keys of a value, with whether each is a key. */
function* texts(value: unknown): Generator<{ text: string; key: boolean }> {
  if (typeof value === "string") yield { text: value, key: false };
  else if (Array.isArray(value)) for (const item of value) yield* texts(item);
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      yield { text: k, key: true };
      yield* texts(v);
    }
  }
}

/** Nothing from the input evaluates: the only interpolations are the secret inputs' and the outputs'. */
function assertNoInjection(program: ProgramManifest): void {
  const configKeys = new Set(Object.keys(program.program.configuration ?? {}));
  for (const [name, resource] of Object.entries(program.program.resources)) {
    for (const { text, key } of texts(resource.properties)) {
      if (key)
        assert.ok(!isBuiltinFunctionKey(text), `built-in function key ${JSON.stringify(text)} in ${name}`);
      if (interpolations(text) === 0) continue;
      const own = !key && /^\$\{([A-Za-z0-9]+)\}$/.exec(text);
      assert.ok(own && configKeys.has(own[1] as string), `interpolation ${JSON.stringify(text)} in ${name}`);
    }
  }
  for (const output of Object.values(program.program.outputs ?? {})) {
    assert.match(output, /^\$\{[A-Za-z][A-Za-z0-9]*\.[A-Za-z_][A-Za-z0-9_]*\}$/);
  }
  for (const { text } of texts({
    packages: program.program.packages,
    configuration: program.program.configuration,
  })) {
    assert.equal(interpolations(text), 0, text);
    assert.ok(!isBuiltinFunctionKey(text), text);
  }
}

/** Reads back the same through a YAML 1.1 reader (Kubernetes') as through Stackwright's own. */
function assertYamlStable(text: string): unknown {
  const value = parseYaml(text);
  assert.deepEqual(parseYaml11(text, { version: "1.1" }), value, "a YAML 1.1 reader reads it differently");
  return value;
}

function assertOutcome(stage: StageName, outcome: Outcome): void {
  const context = `${stage}, exit ${outcome.code}: ${outcome.stderr}`;
  assert.ok(outcome.code === 0 || outcome.code === 1, context);
  for (const text of [outcome.stderr, ...Object.values(outcome.files)]) {
    assert.ok(!text.includes(CANARY), `a secret appears in the output: ${context}`);
  }
  const file = stage === "program-stage" ? "program.yaml" : "stack.yaml";
  if (outcome.code === 1) {
    assert.deepEqual(Object.keys(outcome.files), [], `written on failure: ${context}`);
    assert.ok(outcome.stderr.length > 0);
    return;
  }
  assert.deepEqual(Object.keys(outcome.files), [file], context);
  const manifest = assertYamlStable(outcome.files[file] as string) as Record<string, unknown>;
  assert.deepEqual(crds.problems(manifest), [], `${file} fails the PKO CRD`);
  if (stage === "program-stage") assertNoInjection(manifest as unknown as ProgramManifest);
}

describe("fuzz: the stages on generated requests, schemas and environments", () => {
  it(`both stages, in process (${NUM_RUNS} cases): exit 0 or 1, CRD-valid and YAML-1.1-stable output, no injection, no secret, nothing written on failure`, async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryCase, async (fuzz) => {
        for (const stage of ["program-stage", "stack-stage"] as const) {
          assertOutcome(stage, await runInProcess(stage, materialise(fuzz)));
        }
      }),
      { numRuns: NUM_RUNS, ...SEED },
    );
  });

  it("the shipped bundles as processes agree with the in-process runs", async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryCase, async (fuzz) => {
        for (const stage of ["program-stage", "stack-stage"] as const) {
          const env = materialise(fuzz);
          const process = await runStageProcess(stage, env);
          assertOutcome(stage, process);
          const inProcess = await runInProcess(stage, {
            ...env,
            KRATIX_OUTPUT_DIR: mkdtempSync(join(scratch, "again-")),
          });
          assert.equal(process.code, inProcess.code);
          assert.deepEqual(process.files, inProcess.files);
        }
      }),
      { numRuns: Math.max(3, Math.round(NUM_RUNS / 50)), ...SEED },
    );
  });

  it(`the job API's spec input (buildProgram on JSON), ${NUM_RUNS} cases`, () => {
    const prepared = prepareComponent(
      parsePackageSchema(readFileSync(SAMPLE_COMPONENT_SCHEMA, "utf8"), "schema"),
      "sample:index:Database",
    );
    fc.assert(
      fc.property(specArbitrary, (spec) => {
        // The job API receives JSON: what survives JSON is what reaches the core.
        const json = JSON.parse(JSON.stringify(spec)) as Record<string, unknown>;
        let program: ProgramManifest;
        try {
          program = buildProgram(prepared, {
            kind: "Workload",
            name: "w",
            namespace: "default",
            labels: {},
            annotations: {},
            spec: json,
          });
        } catch (error) {
          assert.ok(error instanceof StackwrightInputError, String((error as Error)?.stack ?? error));
          assert.ok(!error.message.includes(CANARY));
          return;
        }
        const text = toYaml(program);
        assert.ok(!text.includes(CANARY));
        assert.deepEqual(assertYamlStable(text), program);
        assert.deepEqual(crds.problems(program as never), []);
        assertNoInjection(program);
      }),
      { numRuns: NUM_RUNS, ...SEED },
    );
  });
});
