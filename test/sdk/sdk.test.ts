import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { pythonInterpreter, REPO_ROOT } from "../support/paths";
import { installPythonSdk } from "../support/python-sdk";

const run = promisify(execFile);
const SDK = join(REPO_ROOT, "sdk");
const schema = JSON.parse(readFileSync(join(REPO_ROOT, "schema.json"), "utf8"));
const programStack = schema.resources["stackwright:index:ProgramStack"];

function files(root: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const name of readdirSync(root, { recursive: true }) as string[]) {
    const path = join(root, name);
    if (statSync(path).isFile()) found.set(relative(root, path), readFileSync(path, "utf8"));
  }
  return found;
}

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

describe("the generated SDKs (sdk/)", () => {
  it("are exactly what schema.json generates (regenerate with npm run gen:sdk)", async () => {
    const out = mkdtempSync(join(tmpdir(), "stackwright-sdk-"));
    await run("bash", [join(REPO_ROOT, "scripts", "gen-sdk.sh"), out], { maxBuffer: 16 * 1024 * 1024 });
    const committed = files(SDK);
    const generated = files(out);
    assert.deepEqual([...committed.keys()].sort(), [...generated.keys()].sort(), "the SDKs' files differ");
    for (const [name, text] of generated) assert.equal(committed.get(name), text, `sdk/${name} differs`);
  });

  it("Go: the SDK module builds and offers ProgramStack with the schema's inputs", async () => {
    const dir = join(SDK, "go", "stackwright");
    await run("go", ["build", "./..."], { cwd: dir });
    await run("go", ["vet", "./..."], { cwd: dir });
    const source = readFileSync(join(dir, "programStack.go"), "utf8");
    for (const input of Object.keys(programStack.inputProperties)) {
      const field = input[0]?.toUpperCase() + input.slice(1);
      assert.match(
        source,
        new RegExp(`\\b${field} +\\S+ +\`pulumi:"${input}"\``),
        `ProgramStackArgs.${field}`,
      );
    }
    assert.match(source, /ctx\.RegisterRemoteComponentResource\("stackwright:index:ProgramStack"/);
  });

  it("Python: the SDK installs and offers ProgramStack with the schema's inputs, credentials secret", async () => {
    const python = pythonInterpreter();
    const target = await installPythonSdk();
    const { stdout } = await run(
      python,
      [
        "-c",
        "import inspect, json, stackwright; " +
          "print(json.dumps({'params': list(inspect.signature(stackwright.ProgramStackArgs.__init__).parameters)[1:], " +
          "'version': stackwright._utilities.get_version()}))",
      ],
      { env: { ...process.env, PYTHONPATH: target } },
    );
    const { params, version } = JSON.parse(stdout) as { params: string[]; version: string };
    assert.deepEqual(params.sort(), Object.keys(programStack.inputProperties).map(snakeCase).sort());
    assert.equal(version, schema.version);
    const generated = readFileSync(join(SDK, "python", "stackwright", "program_stack.py"), "utf8");
    assert.match(
      generated,
      /credentials"\] = None if credentials is None else pulumi\.Output\.secret\(credentials\)/,
    );
  });
});
