/**
 * The main job on embedded defaults (./dev.sh demo). Starts a local Kubernetes API server with the
 * PKO CRDs, deploys the TypeScript multi-environment example (examples/stack-config) with
 * `pulumi up --stack dev` and then `--stack staging`, each into its own namespace with its own
 * encrypted credentials, and reads the Program, Stack and Secret objects back from the server.
 * Then runs the two Kratix stages on the same request as dev's ProgramStack and shows that both
 * paths give the same objects. Everything runs on 127.0.0.1 and in temporary directories, and is
 * stopped and removed at the end.
 */
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parseYaml, toYaml } from "../src/core/yaml";
import { runProgramStage } from "../src/stages/program-stage";
import { runStackStage } from "../src/stages/stack-stage";
import { asApplied } from "../test/support/deployed-objects";
import { createIsolatedEngine } from "../test/support/isolated-engine";
import { startLocalCluster } from "../test/support/local-cluster";
import { linkTypescriptDependencies } from "../test/support/project-dependencies";

const REPO = resolve(__dirname, "../..");
const EXAMPLE = join(REPO, "examples", "stack-config", "typescript-complete");
const SCHEMA = join(REPO, "examples", "sample-component", "schema.json");
/** The examples' EXAMPLE-ONLY passphrases: never use them for anything real. */
const PASSPHRASES = join(REPO, "test", "fixtures", "stack-config", "example-only");
const ENVIRONMENTS = ["dev", "staging"] as const;

function step(text: string): void {
  process.stdout.write(`\n==> ${text}\n`);
}

async function main(): Promise<void> {
  step("Local Kubernetes API server (etcd, kube-apiserver, kube-controller-manager) with the PKO CRDs");
  const cluster = await startLocalCluster({ crdDir: join(REPO, "crds") });
  const engine = await createIsolatedEngine();
  try {
    process.stdout.write(`ready at ${cluster.server}\n`);
    const project = join(engine.dir, "typescript-complete");
    await mkdir(project);
    for (const file of ["Pulumi.yaml", "package.json", "tsconfig.json", "index.ts", "settings.ts"])
      await copyFile(join(EXAMPLE, file), join(project, file));
    await linkTypescriptDependencies(project);

    const deployedStacks: Record<string, Record<string, unknown>> = {};
    for (const environment of ENVIRONMENTS) {
      await copyFile(
        join(EXAMPLE, `Pulumi.${environment}.yaml`),
        join(project, `Pulumi.${environment}.yaml`),
      );
      const env = {
        KUBECONFIG: cluster.kubeconfig,
        PULUMI_CONFIG_PASSPHRASE: undefined,
        PULUMI_CONFIG_PASSPHRASE_FILE: join(PASSPHRASES, `${environment}.passphrase`),
      };
      const pulumi = async (args: string[]) => {
        const result = await engine.pulumi([...args, "--stack", environment], { cwd: project, env });
        if (result.code !== 0)
          throw new Error(`pulumi ${args.join(" ")} failed:\n${result.stderr}${result.stdout}`);
        return result.stdout;
      };
      step(`pulumi up --stack ${environment} (its own passphrase, credentials and namespace)`);
      await engine.pulumi(["stack", "init", environment], { cwd: project, env });
      // The copy lives elsewhere: the component schema by its absolute path.
      await pulumi(["config", "set", "platform:componentSchemaPath", SCHEMA]);
      process.stdout.write(await pulumi(["up", "--yes", "--skip-preview"]));
      const namespace = `orders-${environment}`;
      step(`What the API server holds in ${namespace}`);
      const listed = await cluster.kubectl([
        "get",
        "programs.pulumi.com,stacks.pulumi.com,secrets",
        "-n",
        namespace,
      ]);
      process.stdout.write(listed.stdout);
      const stacks = await cluster.kubectl(["get", "stacks.pulumi.com", "-n", namespace, "-o", "json"]);
      for (const stack of (JSON.parse(stacks.stdout) as { items: Record<string, unknown>[] }).items)
        deployedStacks[(stack.metadata as { name: string }).name] = stack;
    }

    step("The Kratix path: the two stages on the request for dev's ProgramStack, dev-orders-1");
    const work = await mkdtemp(join(engine.dir, "kratix-"));
    const request = {
      apiVersion: "platform.example.com/v1alpha1",
      kind: "Database",
      metadata: { name: "dev-orders-1", namespace: "orders-dev" },
      spec: { engine: "postgres", size: 10 },
    };
    await writeFile(join(work, "object.yaml"), toYaml(request));
    const stageEnv = {
      KRATIX_INPUT_FILE: join(work, "object.yaml"),
      KRATIX_OUTPUT_DIR: work,
      PULUMI_SCHEMA_SOURCE: SCHEMA,
      PULUMI_COMPONENT_TOKEN: "sample:index:Database",
      PULUMI_STACK_BACKEND: "s3://acme-pulumi-state-dev",
      PULUMI_STACK_NAME: "dev",
      // dev's profile in the example: deleting the Stack object destroys its resources.
      PULUMI_STACK_DESTROY_ON_FINALIZE: "true",
    };
    await runProgramStage(stageEnv);
    const programYaml = await readFile(join(work, "program.yaml"), "utf8");
    const programName = (parseYaml(programYaml) as { metadata: { name: string } }).metadata.name;
    // The credentials ProgramStack put in its Secret, wired the Kratix way: by Secret and key.
    const secret = `${programName}-secrets`;
    await runStackStage({
      ...stageEnv,
      PULUMI_STACK_ACCESS_TOKEN_SECRET_NAME: secret,
      PULUMI_STACK_ACCESS_TOKEN_SECRET_KEY: "PULUMI_ACCESS_TOKEN",
      PULUMI_STACK_ENV_FROM_SECRETS: `AWS_SECRET_ACCESS_KEY=${secret}/AWS_SECRET_ACCESS_KEY`,
    });
    const emitted = {
      Program: parseYaml(programYaml) as Record<string, unknown>,
      Stack: parseYaml(await readFile(join(work, "stack.yaml"), "utf8")) as Record<string, unknown>,
    };
    process.stdout.write(toYaml(emitted.Stack));

    step("Both paths, compared with what the API server holds");
    const name = (emitted.Program.metadata as { name: string }).name;
    const program = await cluster.get("programs.pulumi.com", name, "orders-dev");
    const stack = deployedStacks[name];
    if (program === undefined || stack === undefined) throw new Error(`the server holds no ${name}`);
    const sameProgram = isDeepStrictEqual(asApplied(program), emitted.Program);
    const sameStack = isDeepStrictEqual(asApplied(stack), emitted.Stack);
    process.stdout.write(
      [
        `Program ${name}: ${sameProgram ? "identical" : "DIFFERENT"}`,
        `Stack ${name}: ${sameStack ? "identical" : "DIFFERENT"}`,
        "",
      ].join("\n"),
    );
    if (!sameProgram || !sameStack)
      throw new Error(
        `the two paths gave different objects:\nserver:\n${toYaml({ program: asApplied(program), stack: asApplied(stack) })}`,
      );
  } finally {
    await engine.dispose();
    await cluster.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`stackwright demo: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
