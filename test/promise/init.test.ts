import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import Ajv from "ajv";
import { IMAGE_SCHEMA_PATH, PROGRAM_STAGE_COMMAND, STACK_STAGE_COMMAND } from "../../src/promise/stage-image";
import { REPO_ROOT, SAMPLE_COMPONENT_SCHEMA } from "../support/paths";
import { PkoCrdValidator } from "../support/pko-crds";
import { runStageProcess, type StageName } from "../support/stage-process";
import { structuralProblems } from "../support/structural-schema";
import { parse } from "../support/yaml";

const exec = promisify(execFile);
const CLI = join(REPO_ROOT, "dist", "src", "cli", "stackwright.js");
const scratch = mkdtempSync(join(tmpdir(), "stackwright-init-"));
let counter = 0;
const freshDir = () => join(scratch, `out-${counter++}`);

async function init(args: string[]) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [
      CLI,
      "init",
      "pulumi-component-promise",
      ...args,
    ]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const sampleArgs = (dir: string, extra: string[] = []) => [
  "--schema",
  SAMPLE_COMPONENT_SCHEMA,
  "--component",
  "sample:index:Database",
  "--group",
  "platform.example.com",
  "--kind",
  "Database",
  "--dir",
  dir,
  ...extra,
];

interface Container {
  name: string;
  image: string;
  command: string[];
  env: { name: string; value: string }[];
}

function containersOf(promise: {
  spec: { workflows: { resource: { configure: { spec: { containers: Container[] } }[] } } };
}) {
  const pipelines = promise.spec.workflows.resource.configure;
  assert.equal(pipelines.length, 1, "one pipeline");
  return (pipelines[0] as { spec: { containers: Container[] } }).spec.containers;
}

describe("stackwright init pulumi-component-promise", () => {
  it("writes the Promise, an example request and a README, one progress line each", async () => {
    const dir = freshDir();
    const run = await init(sampleArgs(dir));
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split("\n"), [
      `wrote ${join(dir, "promise.yaml")}`,
      `wrote ${join(dir, "example-resource-request.yaml")}`,
      `wrote ${join(dir, "README.md")}`,
    ]);
  });

  it("generates a workflow of exactly two containers, Program first, one image, two entry points", async () => {
    const dir = freshDir();
    await init(sampleArgs(dir, ["--image", "registry.example.com/stage:1"]));
    const promise = parse(readFileSync(join(dir, "promise.yaml"), "utf8"));
    assert.equal(promise.apiVersion, "platform.kratix.io/v1alpha1");
    assert.equal(promise.kind, "Promise");
    const [program, stack, ...rest] = containersOf(promise);
    assert.equal(rest.length, 0);
    assert.deepEqual(program?.command, [PROGRAM_STAGE_COMMAND]);
    assert.deepEqual(stack?.command, [STACK_STAGE_COMMAND]);
    assert.equal(program?.image, "registry.example.com/stage:1");
    assert.equal(stack?.image, program?.image);
    const env = (c?: Container) => Object.fromEntries((c?.env ?? []).map((e) => [e.name, e.value]));
    assert.deepEqual(env(program), {
      PULUMI_SCHEMA_SOURCE: IMAGE_SCHEMA_PATH,
      PULUMI_COMPONENT_TOKEN: "sample:index:Database",
    });
    assert.match(env(stack).PULUMI_STACK_BACKEND as string, /^FILL-IN:/);
    assert.match(env(stack).PULUMI_STACK_NAME as string, /^FILL-IN:/);
  });

  it("generates a structural CRD that accepts the example request and refuses a broken one", async () => {
    const dir = freshDir();
    await init(sampleArgs(dir));
    const crd = parse(readFileSync(join(dir, "promise.yaml"), "utf8")).spec.api;
    assert.equal(crd.kind, "CustomResourceDefinition");
    assert.equal(crd.metadata.name, "databases.platform.example.com");
    const version = crd.spec.versions[0];
    assert.equal(version.name, "v1alpha1");
    const schema = version.schema.openAPIV3Schema;
    assert.deepEqual(structuralProblems(schema), []);
    const spec = schema.properties.spec;
    assert.deepEqual(spec.required, ["engine", "size"]);
    assert.deepEqual(spec.properties.engine.enum, ["postgres", "mysql"]);
    assert.equal(spec.properties.password, undefined, "secret inputs are not part of the API");

    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const example = parse(readFileSync(join(dir, "example-resource-request.yaml"), "utf8")) as Record<
      string,
      unknown
    >;
    assert.ok(validate(example), JSON.stringify(validate.errors));
    assert.ok(
      !validate({ ...example, spec: { engine: "oracle", size: "big" } }),
      "a broken request is refused",
    );
    assert.ok(
      !validate({ ...example, spec: { engine: "mysql" } }),
      "a request without a required field is refused",
    );
  });

  it("writes a README that covers each topic a new reader needs", async () => {
    const dir = freshDir();
    await init(sampleArgs(dir));
    const readme = readFileSync(join(dir, "README.md"), "utf8");
    const topics: [string, RegExp][] = [
      ["the two-container workflow", /two-container workflow/i],
      ["the Program container first", /1\. \*\*The Program container\*\*/],
      ["then the Stack container", /2\. \*\*The Stack container\*\*/],
      ["separate entry points in one codebase", /entry points.*one codebase/is],
      ["deterministic Stack fields", /generated deterministically/],
      ["programRef among them", /spec\.programRef\.name/],
      ["PULUMI_STACK_BACKEND with examples", /PULUMI_STACK_BACKEND.*https:\/\/api\.pulumi\.com/],
      [
        "PULUMI_STACK_NAME with examples",
        /PULUMI_STACK_NAME.*`dev`; `acme\/dev` on Pulumi Cloud; `organization\/dev`/,
      ],
      ["no project in the stack name", /leave the project out/],
      ["the custom stage alternative", /custom stage/i],
      ["destination selectors, with the default", /destinationSelectors[\s\S]*environment: pulumi/],
      ["the promise-version label", /kratix\.io\/promise-version: v0\.1\.0/],
      [
        "the access token's Secret",
        /PULUMI_STACK_ACCESS_TOKEN_SECRET_NAME.*PULUMI_STACK_ACCESS_TOKEN_SECRET_KEY/,
      ],
      ["further variables from Secrets", /PULUMI_STACK_ENV_FROM_SECRETS.*VARIABLE=secret-name\/key/],
      ["the Secret for secret inputs", /`password`/],
    ];
    for (const [topic, pattern] of topics) assert.match(readme, pattern, topic);
    // Code spans hold literals such as Pulumi's own `organization`, not prose.
    const prose = readme.replace(/`[^`]*`/g, "");
    assert.doesNotMatch(prose, /\b(customiz|initializ|organiz|behavior)/i, "British English");
  });

  it("runs end to end the way Kratix would: both containers, one request, one output directory", async () => {
    const dir = freshDir();
    await init(sampleArgs(dir));
    const promise = parse(readFileSync(join(dir, "promise.yaml"), "utf8"));
    const input = join(dir, "example-resource-request.yaml");
    const output = join(scratch, `kratix-output-${counter++}`);
    mkdirSync(output);
    const operator: Record<string, string> = {
      PULUMI_STACK_BACKEND: "s3://acme-state",
      PULUMI_STACK_NAME: "organization/dev",
    };
    const commands: Record<string, StageName> = {
      [PROGRAM_STAGE_COMMAND]: "program-stage",
      [STACK_STAGE_COMMAND]: "stack-stage",
    };
    for (const container of containersOf(promise)) {
      const env: Record<string, string> = { KRATIX_INPUT_FILE: input, KRATIX_OUTPUT_DIR: output };
      for (const { name, value } of container.env) {
        // The operator fills in the placeholders; the image holds the schema at IMAGE_SCHEMA_PATH.
        env[name] = operator[name] ?? (value === IMAGE_SCHEMA_PATH ? SAMPLE_COMPONENT_SCHEMA : value);
      }
      const run = await runStageProcess(commands[container.command[0] as string] as StageName, env);
      assert.equal(run.code, 0, `${container.name}: ${run.stderr}`);
    }
    assert.deepEqual(readdirSync(output).sort(), ["program.yaml", "stack.yaml"]);
    const crds = new PkoCrdValidator();
    const program = parse(readFileSync(join(output, "program.yaml"), "utf8"));
    const stack = parse(readFileSync(join(output, "stack.yaml"), "utf8"));
    assert.deepEqual(crds.problems(program), []);
    assert.deepEqual(crds.problems(stack), []);
    assert.equal(stack.spec.programRef.name, program.metadata.name);
    assert.equal(stack.spec.backend, "s3://acme-state");
  });

  it("refuses to run the Stack container while the placeholders are unfilled", async () => {
    const dir = freshDir();
    await init(sampleArgs(dir));
    const [, stack] = containersOf(parse(readFileSync(join(dir, "promise.yaml"), "utf8")));
    const env = Object.fromEntries((stack?.env ?? []).map((e) => [e.name, e.value]));
    const run = await runStageProcess("stack-stage", {
      ...env,
      PULUMI_SCHEMA_SOURCE: SAMPLE_COMPONENT_SCHEMA,
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /PULUMI_STACK_BACKEND: still holds the placeholder from stackwright init/);
  });

  it("selects destinations that run PKO and labels the Promise with its version", async () => {
    const dir = freshDir();
    assert.equal((await init(sampleArgs(dir))).code, 0);
    const promise = parse(readFileSync(join(dir, "promise.yaml"), "utf8"));
    assert.deepEqual(promise.spec.destinationSelectors, [{ matchLabels: { environment: "pulumi" } }]);
    assert.deepEqual(promise.metadata.labels, { "kratix.io/promise-version": "v0.1.0" });

    const custom = freshDir();
    const run = await init(
      sampleArgs(custom, [
        "--destination-selector",
        "cluster.example.com/runs=pko",
        "--destination-selector",
        "region=eu",
        "--promise-version",
        "v1.2.0",
      ]),
    );
    assert.equal(run.code, 0, run.stderr);
    const labelled = parse(readFileSync(join(custom, "promise.yaml"), "utf8"));
    assert.deepEqual(labelled.spec.destinationSelectors, [
      { matchLabels: { "cluster.example.com/runs": "pko", region: "eu" } },
    ]);
    assert.equal(labelled.metadata.labels["kratix.io/promise-version"], "v1.2.0");
    assert.match(
      readFileSync(join(custom, "README.md"), "utf8"),
      /`cluster\.example\.com\/runs: pko` and `region: eu`/,
    );
  });

  it("splits the API and the workflow into their own files with --split", async () => {
    const dir = freshDir();
    const run = await init(sampleArgs(dir, ["--split"]));
    assert.equal(run.code, 0, run.stderr);
    assert.ok(existsSync(join(dir, "api.yaml")) && !existsSync(join(dir, "promise.yaml")));
    const workflow = parse(
      readFileSync(join(dir, "workflows", "resource", "configure", "workflow.yaml"), "utf8"),
    );
    assert.equal(workflow[0].spec.containers.length, 2);
  });

  it("works on this repository's own schema.json", async () => {
    const dir = freshDir();
    const run = await init([
      "--schema",
      join(REPO_ROOT, "schema.json"),
      "--group",
      "platform.example.com",
      "--kind",
      "ProgramStack",
      "--dir",
      dir,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const crd = parse(readFileSync(join(dir, "promise.yaml"), "utf8")).spec.api;
    assert.deepEqual(structuralProblems(crd.spec.versions[0].schema.openAPIV3Schema), []);
    assert.equal(crd.spec.names.plural, "programstacks");
  });
});

describe("stackwright init: bad input", () => {
  async function rejected(args: string[], pattern: RegExp, dir: string) {
    const before = existsSync(dirname(dir)) ? readdirSync(dirname(dir)).sort() : [];
    const run = await init(args);
    assert.equal(run.code, 1, run.stderr);
    const lines = run.stderr.trim().split("\n");
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0] as string, pattern);
    assert.equal(run.stdout, "", "nothing reported as written");
    const after = existsSync(dirname(dir)) ? readdirSync(dirname(dir)).sort() : [];
    assert.deepEqual(after, before, "nothing written, no temporary directory left behind");
  }

  it("an unknown component", () => {
    const dir = freshDir();
    return rejected(
      sampleArgs(dir, ["--component", "sample:index:Nope"]),
      /^stackwright: error: --component: 'sample:index:Nope' is not a component/,
      dir,
    );
  });
  it("a schema without components", () => {
    const dir = freshDir();
    const schema = join(scratch, "empty.json");
    writeFileSync(schema, '{"name":"empty"}');
    return rejected(
      ["--schema", schema, "--group", "a.b", "--kind", "X", "--dir", dir],
      /--component|schema: package 'empty' has no component resource/,
      dir,
    );
  });
  it("an invalid group", () => {
    const dir = freshDir();
    return rejected(
      sampleArgs(dir, ["--group", "nodots"]),
      /^stackwright: error: --group: expected a DNS subdomain/,
      dir,
    );
  });
  it("an invalid kind", () => {
    const dir = freshDir();
    return rejected(
      sampleArgs(dir, ["--kind", "database"]),
      /^stackwright: error: --kind: expected a kind in UpperCamelCase/,
      dir,
    );
  });
  it("an invalid version", () => {
    const dir = freshDir();
    return rejected(
      sampleArgs(dir, ["--version", "1.0"]),
      /^stackwright: error: --version: expected a Kubernetes API version/,
      dir,
    );
  });
  it("a destination selector that is not a label", () => {
    const dir = freshDir();
    return rejected(
      sampleArgs(dir, ["--destination-selector", "environment"]),
      /^stackwright: error: --destination-selector: expected key=value, such as environment=pulumi, got 'environment'$/,
      dir,
    );
  });
  it("a promise version that cannot be a label value", () => {
    const dir = freshDir();
    return rejected(
      sampleArgs(dir, ["--promise-version", "v1 beta"]),
      /^stackwright: error: --promise-version: expected a version usable as a label value/,
      dir,
    );
  });
  it("an output directory that is not empty, unless --force", async () => {
    const dir = freshDir();
    mkdirSync(dir);
    writeFileSync(join(dir, "keep.txt"), "mine");
    await rejected(
      sampleArgs(dir),
      /^stackwright: error: --dir: .* exists and is not empty; .*--force/,
      join(dir, "x"),
    );
    assert.deepEqual(readdirSync(dir), ["keep.txt"]);
    const forced = await init(sampleArgs(dir, ["--force"]));
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(readdirSync(dir).sort(), [
      "README.md",
      "example-resource-request.yaml",
      "keep.txt",
      "promise.yaml",
    ]);
  });
  it("an output directory that cannot be written", () => {
    const file = join(scratch, "a-file");
    writeFileSync(file, "");
    const dir = join(file, "promise");
    return rejected(
      sampleArgs(dir),
      /^stackwright: error: --dir: .* cannot be written/,
      join(scratch, "unused"),
    );
  });
});
