import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { toYaml } from "../../src/core/yaml";
import { createIsolatedEngine, type IsolatedEngine } from "../support/isolated-engine";
import { fixture, pythonInterpreter, REPO_ROOT, SAMPLE_COMPONENT_SCHEMA } from "../support/paths";
import { installPythonSdk } from "../support/python-sdk";
import { lastJsonLine } from "../support/runner-output";

const run = promisify(execFile);
const PROVIDER_BIN = join(REPO_ROOT, "provider", "bin");
const packageVersion = (
  JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }
).version;
const SHORT_TOKEN = "tiny-tok-4k2";

/** A ProgramStack's inputs, by the schema's names, for the sample Database component. */
const DATABASE = {
  componentSchemaPath: SAMPLE_COMPONENT_SCHEMA,
  componentToken: "sample:index:Database",
  backend: "s3://state",
  stack: "organization/dev",
};
const GOOD_INPUTS = { engine: "postgres", size: 5 };
const BAD_SIZE = { ...DATABASE, inputs: { ...GOOD_INPUTS, size: "ten" } };
const BAD_SIZE_MESSAGE = /spec\.size: expected integer, got string "ten"/;

/**
 * The provider plugin under the real engine: it serves schema.json, installs offline from its
 * packed archive, and serves ProgramStack to Pulumi YAML, Python (sdk/python) and Go (sdk/go)
 * programs through `construct`, with the stages' messages for bad input.
 */
describe("the provider plugin, pulumi-resource-stackwright", () => {
  let engine: IsolatedEngine;
  /** The engine's environment with the repository's plugin on PATH, as a developer runs it. */
  let onPath: NodeJS.ProcessEnv;
  before(async () => {
    engine = await createIsolatedEngine();
    onPath = { ...engine.env, PATH: `${PROVIDER_BIN}:${engine.env.PATH}` };
  });
  after(async () => engine?.dispose());

  /** A Pulumi YAML project with one ProgramStack, its stack initialised; returns its directory. */
  const yamlProject = async (
    properties: Record<string, unknown>,
    env: NodeJS.ProcessEnv,
  ): Promise<string> => {
    const dir = await mkdtemp(join(engine.dir, "yaml-"));
    const project = {
      // A project of its own each time: the tests share one backend.
      name: `program-stack-${basename(dir)}`,
      runtime: "yaml",
      resources: { orders: { type: "stackwright:index:ProgramStack", properties } },
    };
    await writeFile(join(dir, "Pulumi.yaml"), toYaml(project));
    const init = await engine.pulumi(["stack", "init", "dev"], { cwd: dir, env });
    assert.equal(init.code, 0, init.stderr);
    return dir;
  };

  const failedPreview = async (dir: string, env: NodeJS.ProcessEnv): Promise<string> => {
    const preview = await engine.pulumi(["preview"], { cwd: dir, env });
    assert.notEqual(preview.code, 0, "the preview should fail");
    return `${preview.stdout}${preview.stderr}`;
  };

  it("serves schema.json, with package.json's version, to pulumi package get-schema", async () => {
    const { stdout } = await run(
      "pulumi",
      ["package", "get-schema", join(PROVIDER_BIN, "pulumi-resource-stackwright")],
      { env: onPath, maxBuffer: 8 * 1024 * 1024 },
    );
    const expected = JSON.parse(await readFile(join(REPO_ROOT, "schema.json"), "utf8"));
    assert.deepEqual(JSON.parse(stdout), { ...expected, version: packageVersion });
  });

  it("installs offline from its packed archive and serves a YAML program from the plugin cache", async () => {
    const out = await mkdtemp(join(engine.dir, "pack-"));
    const { stdout } = await run("bash", [join(REPO_ROOT, "scripts", "pack-provider.sh"), out]);
    const archive = stdout.trim();
    assert.equal(archive, join(out, `pulumi-resource-stackwright-v${packageVersion}.tar.gz`));
    // A PULUMI_HOME of its own, and the repository's plugin off PATH: only the installed one can serve.
    const home = join(engine.dir, "home");
    await mkdir(home);
    const env = { ...engine.env, PULUMI_HOME: home };
    const install = await engine.pulumi(
      ["plugin", "install", "resource", "stackwright", packageVersion, "--file", archive],
      { env },
    );
    assert.equal(install.code, 0, install.stderr);
    const output = await failedPreview(await yamlProject(BAD_SIZE, env), env);
    assert.match(output, BAD_SIZE_MESSAGE);
    assert.doesNotMatch(output, /from \$PATH/, "the installed plugin served the program");
  });

  it("YAML: bad component inputs and a bad stack name fail preview with the stages' messages", async () => {
    const output = await failedPreview(await yamlProject(BAD_SIZE, onPath), onPath);
    assert.match(output, /ProgramStack resource 'orders' has a problem: spec\.size: expected integer/);
    const badStack = await yamlProject({ ...DATABASE, inputs: GOOD_INPUTS, stack: "a/b/c/d" }, onPath);
    assert.match(await failedPreview(badStack, onPath), /stackName: expected 'stack', 'org\/stack'/);
  });

  it("YAML: a too-short stackwright:accessToken is refused without being shown", async () => {
    const dir = await yamlProject({ ...DATABASE, inputs: GOOD_INPUTS }, onPath);
    const set = await engine.pulumi(["config", "set", "--secret", "stackwright:accessToken"], {
      cwd: dir,
      env: onPath,
      input: SHORT_TOKEN,
    });
    assert.equal(set.code, 0, set.stderr);
    // The environment's token is long enough: the stack's config, read in the provider, wins.
    const env = { ...onPath, STACKWRIGHT_ACCESS_TOKEN: "env-token-0123456789abcdef" };
    const output = await failedPreview(dir, env);
    assert.match(output, /config stackwright:accessToken: is too short to be a Pulumi access token/);
    assert.ok(!output.includes(SHORT_TOKEN), "the token is shown");
  });

  it("Python (sdk/python): bad component inputs fail preview with the stages' message", async () => {
    const sdk = await installPythonSdk();
    const { stdout } = await run(
      pythonInterpreter(),
      [
        fixture("provider", "python_preview.py"),
        JSON.stringify({
          component_schema_path: BAD_SIZE.componentSchemaPath,
          component_token: BAD_SIZE.componentToken,
          inputs: BAD_SIZE.inputs,
          backend: BAD_SIZE.backend,
          stack: BAD_SIZE.stack,
        }),
        await mkdtemp(join(engine.dir, "python-")),
        engine.backendUrl,
      ],
      { env: { ...onPath, PYTHONPATH: sdk }, maxBuffer: 8 * 1024 * 1024 },
    );
    const result = lastJsonLine<{ error?: string }>(stdout);
    assert.match(result.error ?? "no error", BAD_SIZE_MESSAGE);
  });

  it("Go (sdk/go): bad component inputs fail preview with the stages' message", async () => {
    const binary = join(engine.dir, "go-preview");
    await run("go", ["build", "-o", binary, "."], { cwd: fixture("provider", "go-preview") });
    const { stdout } = await run(
      binary,
      [JSON.stringify(BAD_SIZE), await mkdtemp(join(engine.dir, "go-")), engine.backendUrl],
      { env: onPath, maxBuffer: 8 * 1024 * 1024 },
    );
    const result = lastJsonLine<{ error?: string }>(stdout);
    assert.match(result.error ?? "no error", BAD_SIZE_MESSAGE);
  });
});
