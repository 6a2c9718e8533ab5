import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SAMPLE_COMPONENT_SCHEMA } from "../support/paths";
import { PkoCrdValidator } from "../support/pko-crds";
import { runStageProcess, tempOutputDir } from "../support/stage-process";
import { parse } from "../support/yaml";

const request = join(mkdtempSync(join(tmpdir(), "stackwright-secret-env-")), "request.yaml");
writeFileSync(
  request,
  "apiVersion: x/v1\nkind: Database\nmetadata: {name: orders, namespace: team-a}\nspec: {engine: postgres, size: 5}\n",
);
const crds = new PkoCrdValidator();

async function stackStage(env: Record<string, string>) {
  return runStageProcess("stack-stage", {
    KRATIX_INPUT_FILE: request,
    KRATIX_OUTPUT_DIR: await tempOutputDir(),
    PULUMI_SCHEMA_SOURCE: SAMPLE_COMPONENT_SCHEMA,
    PULUMI_COMPONENT_TOKEN: "sample:index:Database",
    PULUMI_STACK_BACKEND: "s3://state",
    PULUMI_STACK_NAME: "dev",
    ...env,
  });
}

const ref = (name: string, key: string) => ({ type: "Secret", secret: { name, key } });

/** The Stack stage wires Secrets the platform already has into the Stack's envRefs. */
describe("Stack stage: envRefs to existing Secrets", () => {
  it("wires PULUMI_ACCESS_TOKEN and the backend's variables, valid against the PKO CRD", async () => {
    const run = await stackStage({
      PULUMI_STACK_ACCESS_TOKEN_SECRET_NAME: "pulumi-api",
      PULUMI_STACK_ACCESS_TOKEN_SECRET_KEY: "accessToken",
      PULUMI_STACK_ENV_FROM_SECRETS:
        "AWS_SECRET_ACCESS_KEY=aws-state/secret,\n AWS_ACCESS_KEY_ID=aws-state/id",
    });
    assert.equal(run.code, 0, run.stderr);
    const stack = parse(run.files["stack.yaml"] as string);
    assert.deepEqual(stack.spec.envRefs, {
      AWS_ACCESS_KEY_ID: ref("aws-state", "id"),
      AWS_SECRET_ACCESS_KEY: ref("aws-state", "secret"),
      PULUMI_ACCESS_TOKEN: ref("pulumi-api", "accessToken"),
    });
    assert.deepEqual(Object.keys(stack.spec.envRefs), [
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "PULUMI_ACCESS_TOKEN",
    ]);
    assert.deepEqual(crds.problems(stack), []);
  });

  it("writes no envRefs when none is asked for", async () => {
    const run = await stackStage({});
    assert.equal(run.code, 0, run.stderr);
    assert.equal(parse(run.files["stack.yaml"] as string).spec.envRefs, undefined);
  });

  for (const [what, env, message] of [
    [
      "the token's Secret without its key",
      { PULUMI_STACK_ACCESS_TOKEN_SECRET_NAME: "pulumi-api" },
      /^stackwright-stack-stage: error: PULUMI_STACK_ACCESS_TOKEN_SECRET_KEY: is required with PULUMI_STACK_ACCESS_TOKEN_SECRET_NAME: set both/,
    ],
    [
      "an entry that is not VARIABLE=secret/key",
      { PULUMI_STACK_ENV_FROM_SECRETS: "AWS_ACCESS_KEY_ID=aws-state" },
      /^stackwright-stack-stage: error: PULUMI_STACK_ENV_FROM_SECRETS\[0\]: expected VARIABLE=secret-name\/key/,
    ],
    [
      "a Secret name Kubernetes refuses",
      { PULUMI_STACK_ENV_FROM_SECRETS: "TOKEN=Not_A_Name/key" },
      /PULUMI_STACK_ENV_FROM_SECRETS\[0\]: 'Not_A_Name' is not a Secret name/,
    ],
    [
      "PULUMI_ACCESS_TOKEN from both variables",
      {
        PULUMI_STACK_ACCESS_TOKEN_SECRET_NAME: "pulumi-api",
        PULUMI_STACK_ACCESS_TOKEN_SECRET_KEY: "accessToken",
        PULUMI_STACK_ENV_FROM_SECRETS: "PULUMI_ACCESS_TOKEN=other/token",
      },
      /PULUMI_STACK_ENV_FROM_SECRETS\[0\]: 'PULUMI_ACCESS_TOKEN' is given twice \(also by PULUMI_STACK_ACCESS_TOKEN_SECRET_NAME\)/,
    ],
  ] as const)
    it(`refuses ${what} with one line naming the variable, writing nothing`, async () => {
      const run = await stackStage(env as Record<string, string>);
      assert.equal(run.code, 1, run.stderr);
      assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
      assert.match(run.stderr, message);
      assert.deepEqual(Object.keys(run.files), []);
    });
});
