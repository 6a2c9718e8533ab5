import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { copyFile, mkdtemp, readFile, symlink, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { secretData } from "../support/deployed-objects";
import {
  type CommandResult,
  createIsolatedEngine,
  type IsolatedEngine,
  runCommand,
} from "../support/isolated-engine";
import type { LocalCluster } from "../support/local-cluster";
import { fixture, pythonInterpreter, REPO_ROOT, SAMPLE_COMPONENT_SCHEMA } from "../support/paths";
import { linkTypescriptDependencies, pointGoProjectAtSdk } from "../support/project-dependencies";
import { installPythonSdk } from "../support/python-sdk";
import { testCluster } from "../support/test-cluster";
import { parse } from "../support/yaml";

const run = promisify(execFile);
const EXAMPLES = join(REPO_ROOT, "examples", "stack-config");
const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
type Environment = (typeof ENVIRONMENTS)[number];
const SECRET_KEYS = ["stackwright:accessToken", "platform:awsSecretAccessKey", "platform:databasePassword"];

/** Each project, and the files that make it a complete project besides its stack files. */
const PROJECTS: Record<string, string[]> = {
  "typescript-complete": [
    "Pulumi.yaml",
    "package.json",
    "tsconfig.json",
    ".gitignore",
    "index.ts",
    "settings.ts",
  ],
  "python-workflow": ["Pulumi.yaml", "requirements.txt", ".gitignore", "__main__.py", "settings.py"],
  "go-advanced": ["Pulumi.yaml", "go.mod", "go.sum", ".gitignore", "main.go", "settings.go"],
};

/** The EXAMPLE-ONLY passphrases and credentials the example stack files were encrypted with. */
const EXAMPLE_ONLY = fixture("stack-config", "example-only");
const passphraseFile = (env: Environment) => join(EXAMPLE_ONLY, `${env}.passphrase`);
const secretsOf = (env: Environment): Record<string, string> =>
  Object.fromEntries(
    readFileSync(join(EXAMPLE_ONLY, `${env}.secrets`), "utf8")
      .split("\n")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
const EXAMPLE_PLAINTEXTS = ENVIRONMENTS.flatMap((env) => [
  readFileSync(passphraseFile(env), "utf8").trim(),
  ...Object.values(secretsOf(env)),
]);

interface StackFile {
  readonly config: Record<string, string | { secure: string }>;
  readonly encryptionsalt: string;
}
const stackFileOf = (project: string, env: Environment): StackFile =>
  parse(readFileSync(join(EXAMPLES, project, `Pulumi.${env}.yaml`), "utf8")) as StackFile;

/** One engine for the whole file; every test works in scratch copies under its directory. */
let engine: IsolatedEngine;
before(async () => {
  engine = await createIsolatedEngine();
});
after(async () => engine?.dispose());

/** A scratch copy of some of a project's files: the engine and the scripts may rewrite them. */
async function projectCopy(project: string, files: readonly string[]): Promise<string> {
  const dir = await mkdtemp(join(engine.dir, `${project}-`));
  for (const file of files) await copyFile(join(EXAMPLES, project, file), join(dir, file));
  return dir;
}

/** The environment of a process that opens a stack with that environment's passphrase file. */
const passphraseOf = (env: Environment) => ({
  PULUMI_CONFIG_PASSPHRASE: undefined,
  PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile(env),
});

describe("examples/stack-config: files", () => {
  it("has the guide and three complete projects, each with a stack file per environment", () => {
    assert.ok(existsSync(join(EXAMPLES, "README.md")), "README.md");
    assert.ok(existsSync(join(EXAMPLES, "set-secrets.sh")), "set-secrets.sh");
    for (const [project, files] of Object.entries(PROJECTS))
      for (const file of [...files, ...ENVIRONMENTS.map((env) => `Pulumi.${env}.yaml`)])
        assert.ok(existsSync(join(EXAMPLES, project, file)), `${project}/${file}`);
  });

  it("gives every stack file its environment's settings, its own salt and only ciphertext for credentials", () => {
    for (const project of Object.keys(PROJECTS))
      for (const env of ENVIRONMENTS) {
        const { config, encryptionsalt } = stackFileOf(project, env);
        const where = `${project}/Pulumi.${env}.yaml`;
        assert.equal(config["platform:environment"], env, where);
        assert.match(String(config["platform:namespace"]), new RegExp(`-${env}$`), where);
        assert.match(String(config["platform:backend"]), /^[a-z0-9]+:\/\//, where);
        assert.match(encryptionsalt, /^v1:/, `${where}: encryptionsalt`);
        for (const key of SECRET_KEYS) {
          const value = config[key];
          assert.ok(typeof value === "object" && /^v1:/.test(value.secure), `${where}: ${key} is not secure`);
        }
        assert.equal(
          config["platform:confirmProduction"],
          undefined,
          `${where}: confirmed in the repository`,
        );
      }
  });

  it("never repeats a salt or a ciphertext across stacks", () => {
    const salts = new Set<string>();
    const ciphertexts = new Set<string>();
    for (const project of Object.keys(PROJECTS))
      for (const env of ENVIRONMENTS) {
        const { config, encryptionsalt } = stackFileOf(project, env);
        assert.ok(!salts.has(encryptionsalt), `${project}/${env}: salt repeated`);
        salts.add(encryptionsalt);
        for (const key of SECRET_KEYS) {
          const { secure } = config[key] as { secure: string };
          assert.ok(!ciphertexts.has(secure), `${project}/${env}: ${key} ciphertext repeated`);
          ciphertexts.add(secure);
        }
      }
    assert.equal(salts.size, 9);
  });

  it("holds no example passphrase or credential in plaintext outside the EXAMPLE-ONLY fixture", async () => {
    const { stdout } = await run("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
      cwd: REPO_ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    const files = stdout.split("\0").filter((file) => file !== "" && existsSync(join(REPO_ROOT, file)));
    const outside = files.filter((file) => !join(REPO_ROOT, file).startsWith(EXAMPLE_ONLY));
    assert.ok(outside.length > 100, "the search saw the repository");
    for (const file of outside) {
      const text = await readFile(join(REPO_ROOT, file), "latin1");
      for (const plaintext of EXAMPLE_PLAINTEXTS)
        assert.ok(!text.includes(plaintext), `${file} holds an example plaintext`);
    }
  });
});

describe("examples/stack-config: per-stack encryption under the real engine", () => {
  const withPassphrase = (env: Environment, backend: string) => ({
    ...passphraseOf(env),
    PULUMI_BACKEND_URL: backend,
  });

  for (const project of Object.keys(PROJECTS))
    it(`${project}: each stack decrypts with its own passphrase only`, async () => {
      for (const env of ENVIRONMENTS) {
        const dir = await projectCopy(project, ["Pulumi.yaml", `Pulumi.${env}.yaml`]);
        const backend = `file://${await mkdtemp(join(engine.dir, "state-"))}`;
        for (const other of ENVIRONMENTS.filter((e) => e !== env)) {
          const refused = await engine.pulumi(["stack", "init", env], {
            cwd: dir,
            env: withPassphrase(other, backend),
          });
          assert.notEqual(refused.code, 0, `${other}'s passphrase opened ${env}`);
          assert.match(refused.stderr, /incorrect passphrase/, `${other} → ${env}`);
        }
        const own = withPassphrase(env, backend);
        const init = await engine.pulumi(["stack", "init", env], { cwd: dir, env: own });
        assert.equal(init.code, 0, init.stderr);
        const shown = await engine.pulumi(["config", "--show-secrets", "--json", "--stack", env], {
          cwd: dir,
          env: own,
        });
        assert.equal(shown.code, 0, shown.stderr);
        const values = JSON.parse(shown.stdout) as Record<string, { value: string; secret: boolean }>;
        for (const [key, plaintext] of Object.entries(secretsOf(env))) {
          assert.equal(values[key]?.value, plaintext, `${project}/${env}: ${key}`);
          assert.equal(values[key]?.secret, true, `${project}/${env}: ${key} secret`);
        }
      }
    });
});

describe("examples/stack-config/set-secrets.sh", () => {
  const SCRIPT = join(EXAMPLES, "set-secrets.sh");
  const setSecrets = (dir: string, stack: string, input: string, env: NodeJS.ProcessEnv) =>
    runCommand(SCRIPT, [dir, stack], {
      cwd: dir,
      env: { ...engine.env, PULUMI_CONFIG_PASSPHRASE: undefined, ...env },
      input,
    });
  const stagingCopy = () => projectCopy("go-advanced", ["Pulumi.yaml", "Pulumi.staging.yaml"]);
  const CANARY = "set-secrets-canary-value-93ab";

  it("encrypts a new stack's values under a salt of its own, keeping the existing settings", async () => {
    const dir = await stagingCopy();
    const passphrase = join(engine.dir, "qa.passphrase");
    await writeFile(passphrase, "a-new-environment-passphrase");
    // A new environment starts from dev's plain settings only: no salt, no ciphertext.
    const dev = stackFileOf("go-advanced", "dev");
    const plainSettings = Object.entries(dev.config).filter(([, v]) => typeof v === "string");
    await writeFile(
      join(dir, "Pulumi.qa.yaml"),
      `config:\n${plainSettings.map(([k, v]) => `  ${k}: ${v}\n`).join("")}`,
    );
    const result = await setSecrets(dir, "qa", `# qa\nplatform:databasePassword=${CANARY}\n`, {
      PULUMI_CONFIG_PASSPHRASE_FILE: passphrase,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!`${result.stdout}${result.stderr}`.includes(CANARY), "the value was printed");
    const text = await readFile(join(dir, "Pulumi.qa.yaml"), "utf8");
    assert.ok(!text.includes(CANARY), "plaintext in the stack file");
    const written = parse(text) as StackFile;
    assert.equal(written.config["platform:namespace"], dev.config["platform:namespace"]);
    assert.match((written.config["platform:databasePassword"] as { secure: string }).secure, /^v1:/);
    assert.notEqual(written.encryptionsalt, dev.encryptionsalt);
  });

  it("refuses bad input with one message naming what to fix, and leaves the stack file as it was", async () => {
    const dir = await stagingCopy();
    const before = await readFile(join(dir, "Pulumi.staging.yaml"), "utf8");
    const cases: [string, string, NodeJS.ProcessEnv, RegExp][] = [
      ["staging", "platform:x=1\n", {}, /PULUMI_CONFIG_PASSPHRASE_FILE: is required/],
      [
        "staging",
        `platform:databasePassword=${CANARY}\nnot a pair\n`,
        { PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile("staging") },
        /standard input, line 2: expected config-key=value/,
      ],
      [
        "staging",
        `platform:databasePassword=${CANARY}\n`,
        { PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile("dev") },
        /stack 'staging': pulumi stack init failed: .*incorrect passphrase/,
      ],
      [
        "bad/name",
        "platform:x=1\n",
        { PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile("staging") },
        /<stack>: 'bad\/name'/,
      ],
    ];
    for (const [stack, input, env, message] of cases) {
      const result = await setSecrets(dir, stack, input, env);
      assert.notEqual(result.code, 0, String(message));
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split("\n").length, 1, `one line: ${result.stderr}`);
      assert.ok(!result.stderr.includes(CANARY));
      assert.equal(
        await readFile(join(dir, "Pulumi.staging.yaml"), "utf8"),
        before,
        "the stack file changed",
      );
    }
    assert.deepEqual(
      (await run("ls", [dir])).stdout.trim().split("\n").sort(),
      ["Pulumi.staging.yaml", "Pulumi.yaml"],
      `nothing half-written in ${relative(engine.dir, dir)}`,
    );
  });
});

/** A runnable copy of a project with one stack initialised from its committed stack file. */
async function stackOf(project: string, env: Environment, extraEnv: NodeJS.ProcessEnv = {}) {
  const dir = await projectCopy(project, [...(PROJECTS[project] as string[]), `Pulumi.${env}.yaml`]);
  if (project === "typescript-complete") await linkTypescriptDependencies(dir);
  // What `python3 -m venv venv && venv/bin/pip install -r requirements.txt` makes: the project's
  // Pulumi.yaml runs the program in ./venv. The bootstrap's virtualenv has the same packages but
  // sdk/python, which comes from PYTHONPATH.
  if (project === "python-workflow") await symlink(dirname(dirname(pythonInterpreter())), join(dir, "venv"));
  if (project === "go-advanced") await pointGoProjectAtSdk(dir);
  const env_ = {
    ...passphraseOf(env),
    PATH: `${join(REPO_ROOT, "provider", "bin")}:${engine.env.PATH}`,
    PYTHONPATH: await pythonSdk(),
    ...extraEnv,
  };
  const pulumi = (args: string[], input?: string) =>
    engine.pulumi([...args, "--stack", env], {
      cwd: dir,
      env: env_,
      ...(input !== undefined && { input }),
    });
  const init = await engine.pulumi(["stack", "init", env], { cwd: dir, env: env_ });
  assert.equal(init.code, 0, init.stderr);
  // The copy lives elsewhere: the component schema by its absolute path.
  const schema = await pulumi(["config", "set", "platform:componentSchemaPath", SAMPLE_COMPONENT_SCHEMA]);
  assert.equal(schema.code, 0, schema.stderr);
  return { dir, pulumi };
}

let pythonSdkDir: Promise<string> | undefined;
/** sdk/python, installed once for the whole file. */
const pythonSdk = () => {
  pythonSdkDir ??= installPythonSdk();
  return pythonSdkDir;
};

/**
 * Each project's own program under the real engine and its language host (`pulumi preview` on the
 * project directory): bad configuration fails with the guide's messages before anything is created.
 */
describe("examples/stack-config: validation by pulumi preview", () => {
  const previewFails = async (
    pulumi: (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>,
  ) => {
    const preview = await pulumi(["preview"]);
    const output = `${preview.stdout}${preview.stderr}`;
    assert.notEqual(preview.code, 0, output);
    for (const plaintext of EXAMPLE_PLAINTEXTS)
      assert.ok(!output.includes(plaintext), "a credential was printed");
    return output;
  };

  for (const project of Object.keys(PROJECTS)) {
    it(`${project}: prod without confirmation is refused`, async () => {
      const { pulumi } = await stackOf(project, "prod");
      assert.match(
        await previewFails(pulumi),
        /platform:confirmProduction: prod is refused until you confirm it: pulumi config set platform:confirmProduction true --stack prod/,
      );
    });

    it(`${project}: an unknown environment and a missing key are named, with the command to fix them`, async () => {
      const { pulumi } = await stackOf(project, "dev");
      assert.equal((await pulumi(["config", "set", "platform:environment", "qa"])).code, 0);
      assert.equal((await pulumi(["config", "rm", "platform:namespace"])).code, 0);
      const output = await previewFails(pulumi);
      assert.match(
        output,
        /platform:environment: unknown environment 'qa'; set it to one of dev, staging, prod/,
      );
      assert.match(
        output,
        /platform:namespace: is required; set it with: pulumi config set platform:namespace orders-dev/,
      );
    });
  }
});

/**
 * Each project deployed for real: `pulumi preview` and `pulumi up` of every environment into the
 * local API server, each environment in a namespace of its own, then destroyed.
 */
describe("examples/stack-config: pulumi up of every environment into a real API server", () => {
  let cluster: LocalCluster;
  before(async () => {
    cluster = await testCluster();
  });
  after(() => cluster?.stop());

  /** The environment's objects in its namespace, by kind. */
  const objectsIn = async (namespace: string) => {
    const listed = await cluster.kubectl([
      "get",
      "programs.pulumi.com,stacks.pulumi.com,secrets",
      "-n",
      namespace,
      "-o",
      "json",
    ]);
    assert.equal(listed.code, 0, listed.stderr);
    const items = (JSON.parse(listed.stdout) as { items: Record<string, unknown>[] }).items;
    return (kind: string) => items.filter((item) => item.kind === kind);
  };

  for (const project of Object.keys(PROJECTS))
    it(`${project}: dev, staging and prod each deploy their own objects, credentials and state`, async () => {
      const deployed: {
        env: Environment;
        pulumi: (args: string[], input?: string) => Promise<CommandResult>;
      }[] = [];
      const namespaces = new Map<Environment, string>();
      // A backend of the project's own: the other tests of this file have their stacks too.
      const backend = await mkdtemp(join(engine.dir, `${project}-state-`));
      for (const env of ENVIRONMENTS) {
        const { pulumi } = await stackOf(project, env, {
          KUBECONFIG: cluster.kubeconfig,
          PULUMI_BACKEND_URL: `file://${backend}`,
        });
        // A namespace no other test uses: the stack file's, with a suffix of this run's.
        const namespace = `${String(stackFileOf(project, env).config["platform:namespace"])}-${randomBytes(3).toString("hex")}`;
        namespaces.set(env, namespace);
        assert.equal((await pulumi(["config", "set", "platform:namespace", namespace])).code, 0);
        if (env === "prod")
          assert.equal((await pulumi(["config", "set", "platform:confirmProduction", "true"])).code, 0);
        for (const command of [["preview"], ["up", "--yes", "--skip-preview"]]) {
          const result = await pulumi(command);
          const output = `${result.stdout}${result.stderr}`;
          assert.equal(result.code, 0, `${project}/${env} ${command[0]}: ${output}`);
          for (const plaintext of EXAMPLE_PLAINTEXTS)
            assert.ok(!output.includes(plaintext), `${project}/${env}: a credential was printed`);
        }
        deployed.push({ env, pulumi });

        const count = { dev: 1, staging: 2, prod: 3 }[env];
        const of = await objectsIn(namespace);
        assert.equal(of("Program").length, count, `${env}: Programs`);
        assert.equal(of("Stack").length, count, `${env}: Stacks`);
        const own = secretsOf(env);
        const secrets = of("Secret").filter((s) =>
          String((s.metadata as { name: string }).name).endsWith("-secrets"),
        );
        assert.equal(secrets.length, count, `${env}: Secrets`);
        for (const secret of secrets)
          assert.deepEqual(secretData(secret), {
            PULUMI_ACCESS_TOKEN: own["stackwright:accessToken"],
            AWS_SECRET_ACCESS_KEY: own["platform:awsSecretAccessKey"],
            password: own["platform:databasePassword"],
          });
        for (const stack of of("Stack")) {
          const spec = stack.spec as { stack: string; backend: string };
          assert.equal(spec.stack, env);
          assert.equal(spec.backend, stackFileOf(project, env).config["platform:backend"]);
        }
        assert.ok(
          !JSON.stringify([...of("Program"), ...of("Stack")]).includes(
            own["platform:databasePassword"] as string,
          ),
        );
      }

      // Each stack's state holds its own resources only, and secrets only as ciphertext.
      const states = await engine.stateFiles(backend);
      for (const { env } of deployed) {
        const file = states.find((f) => f.path.endsWith(`${sep}${env}.json`));
        assert.ok(file, `${project}/${env}: no state`);
        const namespacesInState = new Set(
          [...file.text.matchAll(/"namespace":\s*"([^"]+)"/g)].map(([, namespace]) => namespace),
        );
        assert.deepEqual(
          [...namespacesInState],
          [namespaces.get(env)],
          `${project}/${env}: foreign resources in its state`,
        );
        for (const plaintext of EXAMPLE_PLAINTEXTS)
          assert.ok(!file.text.includes(plaintext), `${project}/${env}: plaintext in its state`);
      }

      for (const { env, pulumi } of deployed) {
        const destroyed = await pulumi(["destroy", "--yes", "--skip-preview"]);
        assert.equal(destroyed.code, 0, `${project}/${env} destroy: ${destroyed.stderr}`);
        const gone = await cluster.kubectl([
          "get",
          "namespace",
          namespaces.get(env) as string,
          "--ignore-not-found",
          "-o",
          "name",
        ]);
        assert.equal(gone.stdout.trim(), "", `${env}: the namespace is still there`);
      }
    });
});
