import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { ProgramManifest } from "../core/manifests";
import { programToProject } from "../core/pulumi-project";
import { parseYaml as parse, toYaml as stringify } from "../core/yaml";
import { createIsolatedEngine } from "../engine/isolated-engine";
import { runProgramStage } from "../stages/program-stage";
import { runStackStage } from "../stages/stack-stage";

/**
 * The main job on embedded defaults (./dev.sh demo): a Kratix-style request for the example
 * `sample:index:Database` component goes through the Program stage and the Stack stage, exactly
 * as the two workflow containers run them; then the emitted Program is deployed with a real
 * `pulumi up` on a local file backend, its secret input supplied as encrypted stack config, and
 * the stack's outputs are printed.
 */
const REPO = resolve(__dirname, "../../..");
const SAMPLE = join(REPO, "examples", "sample-component");

const REQUEST = {
  apiVersion: "platform.example.com/v1alpha1",
  kind: "Database",
  metadata: {
    name: "orders-db",
    namespace: "team-a",
    labels: { team: "orders", "kratix.io/promise-name": "database" },
  },
  spec: {
    engine: "postgres",
    size: 20,
    replicas: [{ region: "eu-west-1" }],
    tags: { owner: "orders@example.com" },
  },
};
/** Demo-only values: never use them for anything real. */
const DEMO_PASSPHRASE = "stackwright-demo-passphrase";
const DEMO_DATABASE_PASSWORD = "demo-only-password";

function step(text: string): void {
  process.stdout.write(`\n==> ${text}\n`);
}

async function main(): Promise<void> {
  const engine = await createIsolatedEngine({ passphrase: DEMO_PASSPHRASE });
  try {
    const input = join(engine.dir, "kratix", "input");
    const output = join(engine.dir, "kratix", "output");
    await mkdir(input, { recursive: true });
    await mkdir(output, { recursive: true });
    await writeFile(join(input, "object.yaml"), stringify(REQUEST));
    const stageEnv = {
      KRATIX_INPUT_FILE: join(input, "object.yaml"),
      KRATIX_OUTPUT_DIR: output,
      PULUMI_SCHEMA_SOURCE: join(SAMPLE, "schema.json"),
      PULUMI_COMPONENT_TOKEN: "sample:index:Database",
      PULUMI_STACK_BACKEND: engine.backendUrl,
      PULUMI_STACK_NAME: "organization/orders-db/dev",
    };

    step("Program stage: request -> program.yaml");
    await runProgramStage(stageEnv);
    const programText = await readFile(join(output, "program.yaml"), "utf8");
    process.stdout.write(programText);
    step("Stack stage: request -> stack.yaml");
    await runStackStage(stageEnv);
    process.stdout.write(await readFile(join(output, "stack.yaml"), "utf8"));

    step("pulumi up of the emitted Program (Pulumi YAML, local file backend, passphrase secrets)");
    const project = join(engine.dir, "project");
    await mkdir(project);
    await writeFile(
      join(project, "Pulumi.yaml"),
      stringify(programToProject(parse(programText) as ProgramManifest)),
    );
    const env = { PATH: `${join(SAMPLE, "bin")}:${engine.env.PATH}` };
    const run = async (args: string[], stdin?: string) => {
      const result = await engine.pulumi(args, {
        cwd: project,
        env,
        ...(stdin !== undefined && { input: stdin }),
      });
      if (result.code !== 0)
        throw new Error(`pulumi ${args.join(" ")} failed:\n${result.stderr}${result.stdout}`);
      return result.stdout;
    };
    await run(["stack", "init", "dev"]);
    await run(["config", "set", "--secret", "password"], DEMO_DATABASE_PASSWORD);
    process.stdout.write(await run(["up", "--yes", "--skip-preview"]));
    step("Stack outputs");
    process.stdout.write(await run(["stack", "output", "--json"]));
  } finally {
    await engine.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`stackwright demo: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
