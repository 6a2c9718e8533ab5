import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { cp, mkdtemp, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { toYaml } from "../../src/core/yaml";
import {
  asApplied,
  readDeployed,
  type StageObjects,
  secretData,
  stageObjects,
} from "../support/deployed-objects";
import { type CommandResult, createIsolatedEngine, type IsolatedEngine } from "../support/isolated-engine";
import type { LocalCluster } from "../support/local-cluster";
import { fixture, REPO_ROOT, SAMPLE_COMPONENT_SCHEMA } from "../support/paths";
import { linkTypescriptDependencies, pointGoProjectAtSdk } from "../support/project-dependencies";
import { installPythonSdk } from "../support/python-sdk";
import { testCluster } from "../support/test-cluster";
import { parse } from "../support/yaml";

/**
 * ProgramStack deployed for real: `pulumi up` of a user's program in each language the component
 * is offered in, through the Kubernetes provider into a real API server, the objects read back.
 */
const PASSWORD = "pw-canary-3f9a1c77";
const AWS_SECRET = "aws-canary-5d02be41";
const CONFIG_TOKEN = "pul-config-canary-0123456789abcdef0123";
const ENV_TOKEN = "pul-env-canary-fedcba9876543210fedcba";
const CANARIES = [PASSWORD, AWS_SECRET, CONFIG_TOKEN, ENV_TOKEN];
const TOKEN = "sample:index:Database";
const BACKEND = "s3://orders-state";
const STACK = "orders-dev";

type Language = "typescript" | "python" | "go" | "yaml";
type CredentialsAs = "secret-map" | "secret-values" | "none";

let engine: IsolatedEngine;
let cluster: LocalCluster;
let env: NodeJS.ProcessEnv;
before(async () => {
  [engine, cluster] = await Promise.all([createIsolatedEngine(), testCluster()]);
  env = {
    ...engine.env,
    KUBECONFIG: cluster.kubeconfig,
    // The repository's provider plugin serves ProgramStack to Python, Go and YAML programs.
    PATH: `${join(REPO_ROOT, "provider", "bin")}:${engine.env.PATH}`,
    PYTHONPATH: await installPythonSdk(),
  };
});
after(async () => Promise.all([engine?.dispose(), cluster?.stop()]));

interface Project {
  readonly dir: string;
  readonly namespace: string;
  pulumi(args: string[], input?: string, extraEnv?: NodeJS.ProcessEnv): Promise<CommandResult>;
  /** Writes what the next update deploys: the component's inputs and how credentials are passed. */
  deploy(
    inputs: Record<string, unknown>,
    credentials: Record<string, string>,
    how: CredentialsAs,
    extra?: Record<string, unknown>,
  ): Promise<void>;
}

let projects = 0;

/** A copy of the language's project in a namespace of its own, its stack initialised. */
async function project(language: Language): Promise<Project> {
  const namespace = await cluster.createNamespace(`ps-${language}`);
  const dir = await mkdtemp(join(engine.dir, `${language}-`));
  if (language !== "yaml") await cp(fixture("program-stack-up", language), dir, { recursive: true });
  if (language === "typescript") await linkTypescriptDependencies(dir);
  if (language === "go") await pointGoProjectAtSdk(dir);
  const args = (inputs: Record<string, unknown>) => ({
    componentSchemaPath: SAMPLE_COMPONENT_SCHEMA,
    componentToken: TOKEN,
    inputs,
    namespace,
    backend: BACKEND,
    stack: STACK,
  });
  // Tests share the backend: a stack name of its own for each project.
  const stackName = `dev-${++projects}`;
  const pulumi = (args_: string[], input?: string, extraEnv: NodeJS.ProcessEnv = {}) =>
    engine.pulumi([...args_, "--stack", stackName], {
      cwd: dir,
      env: { ...env, ...extraEnv },
      ...(input !== undefined && { input }),
    });
  const deploy = async (
    inputs: Record<string, unknown>,
    credentials: Record<string, string>,
    how: CredentialsAs,
    extra: Record<string, unknown> = {},
  ) => {
    if (language === "yaml") {
      const { password, ...plain } = inputs;
      const properties = {
        ...args({ ...plain, password: { "fn::secret": password } }),
        ...(how === "secret-map" && { credentials: { "fn::secret": credentials } }),
      };
      await writeFile(
        join(dir, "Pulumi.yaml"),
        toYaml({
          name: "program-stack-yaml",
          runtime: "yaml",
          resources: { orders: { type: "stackwright:index:ProgramStack", properties } },
          outputs: {
            programName: "${orders.programName}",
            stackName: "${orders.stackName}",
            secretName: "${orders.secretName}",
          },
        }),
      );
    } else {
      await writeFile(
        join(dir, "deploy.json"),
        JSON.stringify({ args: args(inputs), credentials, credentialsAs: how, ...extra }),
      );
    }
  };
  await deploy({ engine: "postgres", size: 20, password: PASSWORD }, {}, "none");
  const init = await engine.pulumi(["stack", "init", stackName], { cwd: dir, env });
  assert.equal(init.code, 0, init.stderr);
  return { dir, namespace, pulumi, deploy };
}

/** `pulumi up`, asserting success and that no secret reached the engine's output. */
async function up(p: Project, extraEnv: NodeJS.ProcessEnv = {}): Promise<Record<string, string>> {
  const result = await p.pulumi(["up", "--yes", "--skip-preview"], undefined, extraEnv);
  assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
  assertNoCanary(`${result.stdout}${result.stderr}`, "the engine's output");
  const outputs = await p.pulumi(["stack", "output", "--json"]);
  assert.equal(outputs.code, 0, outputs.stderr);
  return JSON.parse(outputs.stdout);
}

function assertNoCanary(text: string, where: string): void {
  for (const canary of CANARIES) assert.ok(!text.includes(canary), `a secret appears in ${where}`);
}

/** What the two stages emit for the request the ProgramStack stands for. */
function expectedFor(
  namespace: string,
  spec: Record<string, unknown>,
  secretEnv: { secretName: string; variables: string[] } = { secretName: "", variables: [] },
): Promise<StageObjects> {
  // The Stack stage wires the same credentials when told where they are: the ProgramStack's Secret.
  const fromSecrets = secretEnv.variables.map((v) => `${v}=${secretEnv.secretName}/${v}`).join(",");
  return stageObjects({
    kind: "Database",
    name: "orders",
    namespace,
    spec,
    schemaPath: SAMPLE_COMPONENT_SCHEMA,
    componentToken: TOKEN,
    backend: BACKEND,
    stackName: STACK,
    env: { PULUMI_STACK_ENV_FROM_SECRETS: fromSecrets },
  });
}

/**
 * The server holds the stages' Program and Stack (the Stack stage told where the credentials are) and
 * a Secret with exactly the credentials and the secret input; the Program and Stack hold none.
 */
async function assertDeployed(
  p: Project,
  names: Record<string, string>,
  spec: Record<string, unknown>,
  credentials: Record<string, string>,
): Promise<{ programUid: string }> {
  const deployed = await readDeployed(cluster, p.namespace, names as never);
  assert.ok(deployed.program && deployed.stack && deployed.secret, "all three objects exist");
  const expected = await expectedFor(p.namespace, spec, {
    secretName: names.secretName as string,
    variables: Object.keys(credentials),
  });
  assert.deepEqual(asApplied(deployed.program), expected.program);
  assert.deepEqual(asApplied(deployed.stack), expected.stack);
  assert.deepEqual(secretData(deployed.secret), { password: PASSWORD, ...credentials });
  assertNoCanary(JSON.stringify([deployed.program, deployed.stack]), "the Program or the Stack");
  return { programUid: (deployed.program.metadata as { uid: string }).uid };
}

/** Every secret in the state is ciphertext under the stack's passphrase. */
async function assertStateEncrypted(): Promise<void> {
  const files = await engine.stateFiles();
  assert.ok(files.length > 0, "the backend holds state");
  for (const file of files) assertNoCanary(file.text, file.path);
}

async function destroyRemovesAll(p: Project, names: Record<string, string>): Promise<void> {
  const destroyed = await p.pulumi(["destroy", "--yes", "--skip-preview"]);
  assert.equal(destroyed.code, 0, destroyed.stderr);
  assert.deepEqual(await readDeployed(cluster, p.namespace, names as never), {
    program: undefined,
    stack: undefined,
    secret: undefined,
  });
}

describe("ProgramStack: pulumi up into a real API server", () => {
  for (const language of ["typescript", "python", "go", "yaml"] as const)
    it(`${language}: creates the stages' Program and Stack and a Secret, updates in place, destroys`, async () => {
      const p = await project(language);
      const credentials = { AWS_SECRET_ACCESS_KEY: AWS_SECRET };
      await p.deploy({ engine: "postgres", size: 20, password: PASSWORD }, credentials, "secret-map");
      const names = await up(p);
      const first = await assertDeployed(p, names, { engine: "postgres", size: 20 }, credentials);

      await p.deploy({ engine: "postgres", size: 40, password: PASSWORD }, credentials, "secret-map");
      assert.deepEqual(await up(p), names, "the same objects");
      const second = await assertDeployed(p, names, { engine: "postgres", size: 40 }, credentials);
      assert.equal(second.programUid, first.programUid, "the Program was replaced, not updated in place");

      await assertStateEncrypted();
      await destroyRemovesAll(p, names);
    });

  it("typescript: credentials as per-value secrets, and PULUMI_ACCESS_TOKEN from config before the environment", async () => {
    const p = await project("typescript");
    const credentials = { AWS_SECRET_ACCESS_KEY: AWS_SECRET };
    await p.deploy({ engine: "mysql", size: 10, password: PASSWORD }, credentials, "secret-values");
    const fromEnv = { STACKWRIGHT_ACCESS_TOKEN: ENV_TOKEN };
    const names = await up(p, fromEnv);
    await assertDeployed(
      p,
      names,
      { engine: "mysql", size: 10 },
      { PULUMI_ACCESS_TOKEN: ENV_TOKEN, ...credentials },
    );

    const set = await p.pulumi(["config", "set", "--secret", "stackwright:accessToken"], CONFIG_TOKEN);
    assert.equal(set.code, 0, set.stderr);
    await up(p, fromEnv);
    await assertDeployed(
      p,
      names,
      { engine: "mysql", size: 10 },
      { PULUMI_ACCESS_TOKEN: CONFIG_TOKEN, ...credentials },
    );
    await assertStateEncrypted();
    await destroyRemovesAll(p, names);
  });
});

describe("ProgramStack without a cluster", () => {
  it("renders the stages' Program and Stack, and the Secret, to YAML files (renderYamlToDirectory)", async () => {
    const p = await project("typescript");
    const out = join(p.dir, "rendered");
    await p.deploy({ engine: "postgres", size: 20, password: PASSWORD }, {}, "none", {
      renderYamlToDirectory: out,
    });
    // No cluster at all: no kubeconfig (the provider refuses one beside renderYamlToDirectory).
    const names = await up(p, { KUBECONFIG: undefined });
    const rendered = (await readdir(join(out, "1-manifest"))).map((file) =>
      parse(readFileSync(join(out, "1-manifest", file), "utf8")),
    );
    const byKind = Object.fromEntries(rendered.map((object) => [object.kind, object]));
    assert.deepEqual(Object.keys(byKind).sort(), ["Program", "Secret", "Stack"]);
    const expected = await expectedFor(p.namespace, { engine: "postgres", size: 20 });
    assert.deepEqual(asApplied(byKind.Program), expected.program);
    assert.deepEqual(asApplied(byKind.Stack), expected.stack);
    assert.equal(byKind.Secret.metadata.name, names.secretName);
    assert.equal(await readDeployed(cluster, p.namespace, names as never).then((d) => d.program), undefined);
  });
});

describe("ProgramStack against a cluster it cannot reach", () => {
  it("fails pulumi up with the provider's message naming the cluster or the kubeconfig", async () => {
    const p = await project("yaml");
    const kubeconfig = join(p.dir, "kubeconfig");
    // A cluster nobody listens for: port 1 on this machine.
    await writeFile(
      kubeconfig,
      readFileSync(cluster.kubeconfig, "utf8").replace(/server: \S+/, "server: https://127.0.0.1:1"),
    );
    const unreachable = await p.pulumi(["up", "--yes", "--skip-preview"], undefined, {
      KUBECONFIG: kubeconfig,
    });
    assert.notEqual(unreachable.code, 0);
    assert.match(unreachable.stdout, /configured Kubernetes cluster is unreachable: .*127\.0\.0\.1:1/);

    await writeFile(kubeconfig, "clusters: [not yaml");
    const broken = await p.pulumi(["up", "--yes", "--skip-preview"], undefined, { KUBECONFIG: kubeconfig });
    assert.notEqual(broken.code, 0);
    assert.match(broken.stdout, new RegExp(`error loading config file "${kubeconfig}"`));
    assertNoCanary(
      `${unreachable.stdout}${unreachable.stderr}${broken.stdout}${broken.stderr}`,
      "the output",
    );
  });
});
