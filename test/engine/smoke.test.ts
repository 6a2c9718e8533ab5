import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cp, mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { smokeProgram } from "../fixtures/engine-smoke/typescript/program";
import { createIsolatedEngine, type IsolatedEngine, requireEngine } from "../support/isolated-engine";
import { fixture, pythonInterpreter } from "../support/paths";
import { lastJsonLine } from "../support/runner-output";

const exec = promisify(execFile);
const TOKEN = "smoke-canary-7f3a9c2e-do-not-log";

/** The canary must appear nowhere in the state but as ciphertext. */
async function assertStateHoldsOnlyCiphertext(engine: IsolatedEngine): Promise<void> {
  const files = await engine.stateFiles();
  assert.ok(files.length > 0, "the backend holds a state file");
  for (const file of files) {
    assert.ok(!file.text.includes(TOKEN), `${file.path} holds the secret in plaintext`);
  }
  assert.ok(
    files.some((f) => f.text.includes('"ciphertext"')),
    "the secret is stored as ciphertext",
  );
}

/** The JSON line an inline-program runner prints (Python and Go fixtures). */
function assertInlineRun(stdout: string, language: string): void {
  assert.ok(!stdout.includes(TOKEN), "the runner never prints the secret");
  const result = lastJsonLine<{ preview: { create: number }; [key: string]: unknown }>(stdout);
  assert.equal(result.preview.create, 1);
  assert.equal(result.result, "succeeded");
  assert.equal(result.greeting, `hello from ${language} on dev`);
  assert.deepEqual([result.tokenIsSecret, result.tokenMatches], [true, true]);
}

describe("engine smoke tests (real pulumi, file backend, passphrase secrets)", () => {
  let engine: IsolatedEngine;
  before(async () => {
    engine = await createIsolatedEngine();
  });
  after(async () => {
    await engine?.dispose();
  });

  it("runs the pinned engine", async (t) => {
    const facts = await requireEngine();
    t.diagnostic(`pulumi ${facts.version} at ${facts.pulumiPath}`);
    const result = await engine.pulumi(["version"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), facts.version);
  });

  it("TypeScript: previews and updates an inline program; the secret config is ciphertext in state", async () => {
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: "dev", projectName: "smoke-typescript", program: smokeProgram },
      {
        workDir: await mkdtemp(join(engine.dir, "ts-")),
        projectSettings: { name: "smoke-typescript", runtime: "nodejs", backend: { url: engine.backendUrl } },
        envVars: engine.env as Record<string, string>,
      },
    );
    await stack.setConfig("token", { value: TOKEN, secret: true });
    const preview = await stack.preview();
    assert.equal(preview.changeSummary.create, 1);
    const up = await stack.up();
    assert.equal(up.summary.result, "succeeded");
    assert.equal(up.outputs.greeting?.value, "hello from typescript on dev");
    assert.equal(up.outputs.token?.secret, true);
    assert.equal(up.outputs.token?.value, TOKEN);
    assert.ok(
      !up.stdout.includes(TOKEN) && !up.stderr.includes(TOKEN),
      "the engine's output never shows the secret",
    );
    await assertStateHoldsOnlyCiphertext(engine);
  });

  it("Python: previews and updates an inline program through the Python SDK", async () => {
    const { stdout } = await exec(pythonInterpreter(), [fixture("engine-smoke", "python", "smoke.py")], {
      env: { ...engine.env, SMOKE_TOKEN: TOKEN },
    });
    assertInlineRun(stdout, "python");
  });

  it("Go: previews and updates an inline program through the Go SDK", async () => {
    const dir = fixture("engine-smoke", "go");
    const binary = join(engine.dir, "smoke-go");
    await exec("go", ["build", "-o", binary, "."], { cwd: dir, env: engine.env, maxBuffer: 16 << 20 });
    const { stdout } = await exec(binary, [], { env: { ...engine.env, SMOKE_TOKEN: TOKEN } });
    assertInlineRun(stdout, "go");
  });

  it("Pulumi YAML: pulumi preview and pulumi up of a project directory", async () => {
    const dir = await mkdtemp(join(engine.dir, "yaml-"));
    await cp(fixture("engine-smoke", "yaml"), dir, { recursive: true });
    const ok = async (args: string[]) => {
      const r = await engine.pulumi(args, { cwd: dir });
      assert.equal(r.code, 0, `pulumi ${args.join(" ")} failed:\n${r.stderr}${r.stdout}`);
      assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN));
      return r;
    };
    await ok(["stack", "init", "dev"]);
    // The secret goes in on stdin, never on the command line.
    const set = await exec("sh", ["-c", 'printf %s "$SMOKE_TOKEN" | pulumi config set --secret token'], {
      cwd: dir,
      env: { ...engine.env, SMOKE_TOKEN: TOKEN },
    });
    assert.equal(set.stderr.includes(TOKEN), false);
    const preview = await ok(["preview", "--json"]);
    assert.equal(JSON.parse(preview.stdout).changeSummary.create, 1);
    await ok(["up", "--yes"]);
    const outputs = JSON.parse((await ok(["stack", "output", "--json"])).stdout);
    assert.equal(outputs.greeting, "hello from yaml on dev");
    assert.equal(outputs.token, "[secret]");
  });
});
