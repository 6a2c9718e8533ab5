import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { isDns1123Label, MAX_STACK_NAME_LENGTH } from "../../src/core/naming";
import { fixture, SAMPLE_COMPONENT_SCHEMA } from "../support/paths";
import { PkoCrdValidator } from "../support/pko-crds";
import { assertMatchesSnapshot } from "../support/snapshots";
import { runStageProcess, tempOutputDir } from "../support/stage-process";
import { parse } from "../support/yaml";

const corpusDir = fixture("corpus");
const cases = readdirSync(corpusDir).filter((d) => existsSync(join(corpusDir, d, "request.yaml")));
const crds = new PkoCrdValidator();

function schemaFor(dir: string): string {
  for (const name of ["schema.json", "schema.yaml"]) if (existsSync(join(dir, name))) return join(dir, name);
  return SAMPLE_COMPONENT_SCHEMA;
}

describe("corpus: schema/request pairs through both stage processes", () => {
  it("has at least 12 cases", () => assert.ok(cases.length >= 12, `only ${cases.length} cases`));

  for (const name of cases) {
    it(name, async () => {
      const dir = join(corpusDir, name);
      const tokenFile = join(dir, "component-token");
      const out = await tempOutputDir();
      const env = {
        KRATIX_INPUT_FILE: join(dir, "request.yaml"),
        KRATIX_OUTPUT_DIR: out,
        PULUMI_SCHEMA_SOURCE: schemaFor(dir),
        PULUMI_COMPONENT_TOKEN: existsSync(tokenFile) ? readFileSync(tokenFile, "utf8").trim() : undefined,
        PULUMI_STACK_BACKEND: "s3://acme-pulumi-state",
        PULUMI_STACK_NAME: "organization/dev",
      };
      const program = await runStageProcess("program-stage", env);
      assert.equal(program.code, 0, program.stderr);
      const stack = await runStageProcess("stack-stage", env);
      assert.equal(stack.code, 0, stack.stderr);
      assert.deepEqual(Object.keys(stack.files).sort(), ["program.yaml", "stack.yaml"]);

      for (const file of ["program.yaml", "stack.yaml"]) {
        const text = stack.files[file] as string;
        assertMatchesSnapshot(text, join(dir, "expected", file));
        const object = parse(text);
        assert.deepEqual(crds.problems(object), [], `${file} fails the PKO CRD`);
        assert.ok(object.metadata.name.length <= MAX_STACK_NAME_LENGTH);
        assert.ok(isDns1123Label(object.metadata.name), object.metadata.name);
        for (const key of [
          ...Object.keys(object.metadata.labels ?? {}),
          ...Object.keys(object.metadata.annotations ?? {}),
        ]) {
          assert.ok(!key.startsWith("kratix.io/") && !key.startsWith("kubectl.kubernetes.io/"), key);
        }
      }
      const programObject = parse(stack.files["program.yaml"] as string);
      const stackObject = parse(stack.files["stack.yaml"] as string);
      assert.equal(stackObject.spec.programRef.name, programObject.metadata.name);
      assert.equal(stackObject.metadata.namespace, programObject.metadata.namespace);

      // Byte-identical on a second run.
      const again = await runStageProcess("program-stage", {
        ...env,
        KRATIX_OUTPUT_DIR: await tempOutputDir(),
      });
      assert.equal(again.files["program.yaml"], stack.files["program.yaml"]);
    });
  }
});
