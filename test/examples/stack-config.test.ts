import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, symlink, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { createIsolatedEngine, type IsolatedEngine, runCommand } from "../../src/engine/isolated-engine";
import { fixture, REPO_ROOT } from "../support/paths";
import { installPythonSdk } from "../support/python-sdk";
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

/**
 * Each project's own program under the real engine and its language host (`pulumi preview` on the
 * project directory): bad configuration fails with the guide's messages before anything is created.
 */
describe("examples/stack-config: validation by pulumi preview", () => {
  let pythonSdk: string;
  before(async () => {
    pythonSdk = await installPythonSdk();
  });

  /** A runnable copy of a project with one stack initialised from its committed stack file. */
  const stackOf = async (project: string, env: Environment) => {
    const dir = await projectCopy(project, [...(PROJECTS[project] as string[]), `Pulumi.${env}.yaml`]);
    if (project === "typescript-complete") {
      // What `npm install` makes of package.json: the SDK and this repository as `stackwright`.
      await mkdir(join(dir, "node_modules"));
      await symlink(join(REPO_ROOT, "node_modules", "@pulumi"), join(dir, "node_modules", "@pulumi"));
      await symlink(join(REPO_ROOT, "node_modules", "typescript"), join(dir, "node_modules", "typescript"));
      await symlink(REPO_ROOT, join(dir, "node_modules", "stackwright"));
    }
    if (project === "go-advanced")
      await run(
        "go",
        [
          "mod",
          "edit",
          `-replace=github.com/stackwright/stackwright/sdk/go/stackwright=${join(REPO_ROOT, "sdk", "go", "stackwright")}`,
        ],
        { cwd: dir },
      );
    const env_ = {
      ...passphraseOf(env),
      PATH: `${join(REPO_ROOT, "provider", "bin")}:${engine.env.PATH}`,
      PYTHONPATH: pythonSdk,
    };
    const pulumi = (args: string[], input?: string) =>
      engine.pulumi([...args, "--stack", env], {
        cwd: dir,
        env: env_,
        ...(input !== undefined && { input }),
      });
    const init = await engine.pulumi(["stack", "init", env], { cwd: dir, env: env_ });
    assert.equal(init.code, 0, init.stderr);
    return { dir, pulumi };
  };

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
