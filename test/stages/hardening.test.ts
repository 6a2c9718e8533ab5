import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse as parseYaml11 } from "yaml";
import { OPEN_COMPONENT_SCHEMA } from "../support/core-fixtures";
import { runStageProcess, type StageName, tempOutputDir } from "../support/stage-process";

/** The issue's reports, each run through the shipped stage bundles: exit 1, one line, no file. */
const scratch = mkdtempSync(join(tmpdir(), "stackwright-hardening-"));
let counter = 0;
function file(text: string): string {
  const path = join(scratch, `f-${counter++}`);
  writeFileSync(path, text);
  return path;
}

const openSchema = file(JSON.stringify(OPEN_COMPONENT_SCHEMA));

function requestFile(spec: string, metadata = "{name: orders, namespace: team-a}"): string {
  return file(`apiVersion: x/v1\nkind: C\nmetadata: ${metadata}\nspec: ${spec}\n`);
}

async function run(stage: StageName, env: Record<string, string | undefined>) {
  return runStageProcess(stage, {
    KRATIX_OUTPUT_DIR: await tempOutputDir(),
    PULUMI_SCHEMA_SOURCE: openSchema,
    PULUMI_STACK_BACKEND: "s3://state",
    PULUMI_STACK_NAME: "organization/dev",
    ...env,
  });
}

async function refusedRun(stage: StageName, env: Record<string, string | undefined>, expected: RegExp) {
  const result = await run(stage, env);
  assert.equal(result.code, 1, result.stderr);
  const lines = result.stderr.trim().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0] as string, expected);
  assert.deepEqual(Object.keys(result.files), [], "nothing written");
  return result;
}

async function refused(
  stage: StageName,
  env: Record<string, string | undefined>,
  expected: RegExp,
): Promise<void> {
  await refusedRun(stage, env, expected);
}

describe("stages: injection, crashes and bounds (issue 12)", () => {
  for (const stage of ["program-stage", "stack-stage"] as const) {
    it(`${stage}: refuses Fn::ReadFile`, () =>
      refused(
        stage,
        { KRATIX_INPUT_FILE: requestFile('{extra: {"Fn::ReadFile": /etc/hostname}}') },
        /spec\.extra\.Fn::ReadFile: keys starting with 'fn::' \(in any case\)/,
      ));

    it(`${stage}: refuses a 10,000-deep alias chain with one line`, () => {
      const lines = ["apiVersion: x/v1", "kind: C", "metadata: {name: x}", "a0: &a0 [x]"];
      for (let i = 1; i < 10_000; i++) lines.push(`a${i}: &a${i} [*a${i - 1}]`);
      lines.push("spec: {extra: *a9999}");
      return refused(
        stage,
        { KRATIX_INPUT_FILE: file(lines.join("\n")) },
        /: error: a\d+(\[0\])+: is nested more than 64 levels deep$/,
      );
    });

    it(`${stage}: refuses a request of anchors that expands beyond the bound`, () => {
      const lines = [
        "apiVersion: x/v1",
        "kind: C",
        "metadata: {name: x}",
        'a0: &a0 ["lololololololololololololololol"]',
      ];
      for (let i = 1; i < 9; i++)
        lines.push(
          `a${i}: &a${i} [${Array(9)
            .fill(`*a${i - 1}`)
            .join(", ")}]`,
        );
      lines.push("spec: {extra: *a8}");
      return refused(
        stage,
        { KRATIX_INPUT_FILE: file(lines.join("\n")) },
        /KRATIX_INPUT_FILE: .* expands to about \d+ bytes of JSON, more than the 1048576 allowed/,
      );
    });

    it(`${stage}: refuses .nan`, () =>
      refused(
        stage,
        { KRATIX_INPUT_FILE: requestFile("{extra: [.nan]}") },
        /: error: spec\.extra\[0\]: is \.nan, which JSON, and so Kubernetes, cannot carry$/,
      ));

    it(`${stage}: refuses a malformed schema with one line (requiredInputs: 5)`, () =>
      refused(
        stage,
        {
          KRATIX_INPUT_FILE: requestFile("{}"),
          PULUMI_SCHEMA_SOURCE: file(
            '{"name":"t","resources":{"t:index:C":{"isComponent":true,"requiredInputs":5}}}',
          ),
        },
        /: error: schema: resources\.t:index:C\.requiredInputs: must be a list of property names$/,
      ));

    it(`${stage}: refuses a namespace over 63 characters`, () =>
      refused(
        stage,
        { KRATIX_INPUT_FILE: requestFile("{}", `{name: x, namespace: ${"n".repeat(64)}}`) },
        /: error: metadata\.namespace: must be a DNS-1123 label/,
      ));
  }

  it("writes what a YAML 1.1 reader reads back identically (1_000, <<, y, 2001-12-14)", async () => {
    const result = await run("program-stage", {
      KRATIX_INPUT_FILE: requestFile(
        '{extra: {"<<": "1_000", "0_7": ["+1_0", "1_", y, "2001-12-14", "${x}"]}}',
      ),
    });
    assert.equal(result.code, 0, result.stderr);
    const program = parseYaml11(result.files["program.yaml"] as string, { version: "1.1" });
    assert.deepEqual(program.program.resources.c.properties.extra, {
      "<<": "1_000",
      "0_7": ["+1_0", "1_", "y", "2001-12-14", "$${x}"],
    });
  });
});

describe("stack stage: backends and stack names PKO can run (issue 11, item 4)", () => {
  it("refuses credentials in PULUMI_STACK_BACKEND and never prints them", async () => {
    const result = await refusedRun(
      "stack-stage",
      { KRATIX_INPUT_FILE: "/nonexistent", PULUMI_STACK_BACKEND: "postgres://u:canary-5e1f@db/state" },
      /PULUMI_STACK_BACKEND: must not carry credentials .* Secret/,
    );
    assert.ok(!result.stderr.includes("canary-5e1f"));
  });

  it("never prints a malformed backend", async () => {
    const result = await refusedRun(
      "stack-stage",
      { KRATIX_INPUT_FILE: "/nonexistent", PULUMI_STACK_BACKEND: "postgres://u:canary-5e1f@db:port/state" },
      /PULUMI_STACK_BACKEND: expected a backend URL/,
    );
    assert.ok(!result.stderr.includes("canary-5e1f"));
  });

  it("refuses an organization other than 'organization' on a DIY backend, before reading the request", () =>
    refused(
      "stack-stage",
      { KRATIX_INPUT_FILE: "/nonexistent", PULUMI_STACK_NAME: "acme/dev" },
      /PULUMI_STACK_NAME: a DIY backend \(s3:\/\/\) has no organization but 'organization': use 'organization\/dev' or just 'dev'$/,
    ));

  it("refuses a project other than the Program's, saying what to write", () =>
    refused(
      "stack-stage",
      { KRATIX_INPUT_FILE: requestFile("{}"), PULUMI_STACK_NAME: "organization/db/dev" },
      /PULUMI_STACK_NAME: the program runs as project 'orders-[0-9a-f]{8}' \(PKO names the project after the Program\), so a stack of project 'db' could never be selected: use 'organization\/orders-[0-9a-f]{8}\/dev' or just 'dev'$/,
    ));

  it("accepts the Program's own project", async () => {
    const program = await run("program-stage", { KRATIX_INPUT_FILE: requestFile("{}") });
    const name = /name: (orders-[0-9a-f]{8})/.exec(program.files["program.yaml"] as string)?.[1];
    const stack = await run("stack-stage", {
      KRATIX_INPUT_FILE: requestFile("{}"),
      PULUMI_STACK_NAME: `organization/${name}/dev`,
    });
    assert.equal(stack.code, 0, stack.stderr);
  });
});
