import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type { ProgramManifest } from "../../src/core/manifests";
import { programToProject } from "../../src/core/pulumi-project";
import { toYaml as stringify } from "../../src/core/yaml";
import { createIsolatedEngine, type IsolatedEngine } from "../support/isolated-engine";
import { REPO_ROOT, SAMPLE_COMPONENT_BIN, SAMPLE_COMPONENT_SCHEMA } from "../support/paths";
import { runStageProcess, tempOutputDir } from "../support/stage-process";
import { parse } from "../support/yaml";

const exec = promisify(execFile);
const PASSWORD = "yaml-runtime-canary-5c2e81";

describe("the emitted Program under the real Pulumi YAML runtime", () => {
  let engine: IsolatedEngine;
  let projectDir: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    engine = await createIsolatedEngine();
    // The sample component's provider plugin, found on PATH like any ambient plugin.
    env = { ...engine.env, PATH: `${SAMPLE_COMPONENT_BIN}:${engine.env.PATH}` };
    const requestFile = join(engine.dir, "object.yaml");
    await writeFile(
      requestFile,
      stringify({
        apiVersion: "platform.example.com/v1alpha1",
        kind: "Database",
        metadata: { name: "orders-db", namespace: "team-a" },
        spec: {
          engine: "postgres",
          size: 5,
          replicas: [{ region: "eu" }, { region: "us" }],
          tags: { note: "cost ${centre} in $" },
        },
      }),
    );
    const run = await runStageProcess("program-stage", {
      KRATIX_INPUT_FILE: requestFile,
      KRATIX_OUTPUT_DIR: await tempOutputDir(),
      PULUMI_SCHEMA_SOURCE: SAMPLE_COMPONENT_SCHEMA,
      PULUMI_COMPONENT_TOKEN: "sample:index:Database",
    });
    assert.equal(run.code, 0, run.stderr);
    const program = parse(run.files["program.yaml"] as string) as ProgramManifest;
    projectDir = join(engine.dir, "project");
    await mkdir(projectDir);
    await writeFile(join(projectDir, "Pulumi.yaml"), stringify(programToProject(program)));
  });
  after(async () => engine?.dispose());

  const pulumi = async (args: string[]) => {
    const result = await engine.pulumi(args, { cwd: projectDir, env });
    assert.equal(result.code, 0, `pulumi ${args.join(" ")}:\n${result.stderr}\n${result.stdout}`);
    assert.ok(!`${result.stdout}${result.stderr}`.includes(PASSWORD), "the engine's output shows the secret");
    return result.stdout;
  };

  it("previews and deploys, with the secret input supplied as stack configuration", async () => {
    await pulumi(["stack", "init", "dev"]);
    await exec("sh", ["-c", 'printf %s "$SECRET" | pulumi config set --secret password'], {
      cwd: projectDir,
      env: { ...env, SECRET: PASSWORD },
    });
    const preview = JSON.parse(await pulumi(["preview", "--json"]));
    assert.equal(preview.changeSummary.create, 2, "the stack and the component");
    await pulumi(["up", "--yes"]);
    const outputs = JSON.parse(await pulumi(["stack", "output", "--json", "--show-secrets"]));
    assert.equal(outputs.endpoint, "postgres://database:5");
    assert.equal(outputs.replicaCount, 2);
    assert.equal(
      outputs.passwordLength,
      PASSWORD.length,
      "the secret reached the component through configuration",
    );
    for (const state of await engine.stateFiles()) assert.ok(!state.text.includes(PASSWORD), state.path);
  });
});

describe("the repository's own Pulumi.yaml", () => {
  it("previews under the real engine", async () => {
    const engine = await createIsolatedEngine();
    try {
      const dir = join(engine.dir, "root-project");
      await mkdir(dir);
      await writeFile(join(dir, "Pulumi.yaml"), await readFile(join(REPO_ROOT, "Pulumi.yaml"), "utf8"));
      const env = { PATH: `${SAMPLE_COMPONENT_BIN}:${engine.env.PATH}` };
      const run = (args: string[], input?: string) =>
        engine.pulumi(args, { cwd: dir, env, ...(input !== undefined && { input }) });
      assert.equal((await run(["stack", "init", "dev"])).code, 0);
      assert.equal((await run(["config", "set", "--secret", "databasePassword"], "root-canary")).code, 0);
      const preview = await run(["preview", "--json"]);
      assert.equal(preview.code, 0, preview.stderr + preview.stdout);
      assert.equal(JSON.parse(preview.stdout).changeSummary.create, 2);
    } finally {
      await engine.dispose();
    }
  });
});
