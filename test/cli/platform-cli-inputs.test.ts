import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { ROLES as SERVICE_ROLES } from "../../src/catalog/permissions";
import { cliError } from "../../src/cli/api-connection";
import type { PlatformCliIo } from "../../src/cli/platform/command";
import { LANGUAGES, ROLES, STACK_STATUSES, VERSION_STATES } from "../../src/cli/platform/enum-words";
import { readProgramDirectory } from "../../src/cli/platform/program-files";
import { readStackParameters } from "../../src/cli/platform/stack-parameters";
import { StackwrightInputError } from "../../src/core/errors";
import {
  VERSION_STATES as SERVICE_VERSION_STATES,
  TEMPLATE_LANGUAGES,
} from "../../src/jobs/domain/catalogue";
import { TENANT_STACK_STATUSES } from "../../src/jobs/domain/tenant-stack";
import { TEMPLATE_FILE_LIMITS } from "../../src/jobs/workspace/template-code-check/template-files";

/** The problems a call refuses with, as `at: message`. */
async function refusal(call: () => unknown): Promise<string[]> {
  try {
    await call();
  } catch (error) {
    if (error instanceof StackwrightInputError) return error.problems.map((p) => `${p.at}: ${p.message}`);
    throw error;
  }
  assert.fail("expected a refusal");
}

function io(env: NodeJS.ProcessEnv = {}, stdin = ""): PlatformCliIo & { notes: string[]; reads: number } {
  const notes: string[] = [];
  const state = {
    notes,
    reads: 0,
    env,
    log: () => {},
    err: (line: string) => notes.push(line),
    readStdin: async () => {
      state.reads++;
      return stdin;
    },
  };
  return state;
}

describe("templates create/draft --dir: a program directory as a template's files", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "stackwright-program-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function program(name: string, files: Record<string, string | Buffer>): string {
    const root = join(dir, name);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(root, path, ".."), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }

  it("takes regular files by relative path, and skips installs, tool directories and stack settings", () => {
    const root = program("skips", {
      "Pulumi.yaml": "name: x\nruntime: nodejs\n",
      "index.ts": "export {};\n",
      "lib/util/strings.ts": "export const a = 1;\n",
      "Pulumi.dev.yaml": "config: {}\n",
      "Pulumi.prod.yml": "config: {}\n",
      "node_modules/a/index.js": "x",
      "lib/node_modules/b/index.js": "x",
      "venv/lib/x.py": "x",
      ".venv/lib/x.py": "x",
      ".git/HEAD": "x",
      "src/__pycache__/m.pyc": "x",
      // Only at the top is Pulumi.<stack>.yaml a stack's settings.
      "fixtures/Pulumi.dev.yaml": "kept: true\n",
    });
    assert.deepEqual(readProgramDirectory("--dir", root), {
      "Pulumi.yaml": "name: x\nruntime: nodejs\n",
      "fixtures/Pulumi.dev.yaml": "kept: true\n",
      "index.ts": "export {};\n",
      "lib/util/strings.ts": "export const a = 1;\n",
    });
  });

  it("refuses symbolic links, to files and to directories alike, and text that is not UTF-8", async () => {
    const root = program("links", {
      "Pulumi.yaml": "name: x\n",
      "logo.png": Buffer.from([0x89, 0x50, 0xff, 0xfe]),
    });
    symlinkSync("/etc/hostname", join(root, "hostname"));
    symlinkSync(tmpdir(), join(root, "elsewhere"));
    assert.deepEqual(await refusal(() => readProgramDirectory("--dir", root)), [
      "--dir: elsewhere: is a symbolic link; copy the file it points to instead",
      "--dir: hostname: is a symbolic link; copy the file it points to instead",
      "--dir: logo.png: is not UTF-8 text; a template's files are text",
    ]);
  });

  it("refuses a file over the catalogue's size and more files than a template may hold, without reading on", async () => {
    const big = program("big", {
      "Pulumi.yaml": "name: x\n",
      "data.json": Buffer.alloc(TEMPLATE_FILE_LIMITS.maxFileBytes + 1, 0x20),
    });
    assert.deepEqual(await refusal(() => readProgramDirectory("--dir", big)), [
      `--dir: data.json: is ${TEMPLATE_FILE_LIMITS.maxFileBytes + 1} bytes; a template's files are at most ${TEMPLATE_FILE_LIMITS.maxFileBytes}`,
    ]);
    const many: Record<string, string> = {};
    for (let i = 0; i <= TEMPLATE_FILE_LIMITS.maxFiles; i++) many[`f${i}.txt`] = "x";
    const root = program("many", many);
    assert.deepEqual(await refusal(() => readProgramDirectory("--dir", root)), [
      `--dir: ${root}: holds more than ${TEMPLATE_FILE_LIMITS.maxFiles} files, a template's most`,
    ]);
  });

  it("refuses a path that is not a directory", async () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "x");
    assert.deepEqual(await refusal(() => readProgramDirectory("--dir", file)), [
      `--dir: ${file} is not a directory`,
    ]);
  });
});

describe("stacks deploy's parameters", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "stackwright-params-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("reads a --param value as JSON when it is JSON, else as text", async () => {
    const param = [
      "count=3",
      "ratio=0.5",
      "enabled=true",
      'zones=["a","b"]',
      'labels={"team":"a"}',
      'version="1.0"',
      "code=007",
      "name=web",
      "empty=",
      "expression=a=b",
    ];
    const { parameters, secretParameters } = await readStackParameters(io(), { param });
    assert.deepEqual(parameters, {
      count: 3,
      ratio: 0.5,
      enabled: true,
      zones: ["a", "b"],
      labels: { team: "a" },
      version: "1.0",
      code: "007",
      name: "web",
      empty: "",
      expression: "a=b",
    });
    assert.deepEqual(secretParameters, {});
  });

  it("lets --param win over --params-file", async () => {
    const file = join(dir, "params.yaml");
    writeFileSync(file, "size: 2\nregion: eu-west-1\n");
    const { parameters } = await readStackParameters(io(), { paramsFile: file, param: ["size=4"] });
    assert.deepEqual(parameters, { size: 4, region: "eu-west-1" });
    const list = join(dir, "list.json");
    writeFileSync(list, "[1]");
    assert.deepEqual(await refusal(() => readStackParameters(io(), { paramsFile: list })), [
      `--params-file: ${list}: expected an object`,
    ]);
  });

  it("reads secret parameters from the environment and from standard input, never from the flag", async () => {
    const stdin = io({ DB_PASSWORD: "s3cret-from-env" }, "s3cret-from-stdin\n");
    const { parameters, secretParameters } = await readStackParameters(stdin, {
      param: ["size=1"],
      secretParam: ["password=DB_PASSWORD", "token=-"],
    });
    assert.deepEqual(parameters, { size: 1 });
    assert.deepEqual(secretParameters, { password: "s3cret-from-env", token: "s3cret-from-stdin" });
    assert.equal(stdin.reads, 1);
  });

  it("refuses every mistake at once, naming the flag, without quoting what follows =", async () => {
    const none = io({ EMPTY: "" });
    const problems = await refusal(() =>
      readStackParameters(none, {
        param: ["=1", "size=1", "size=2"],
        secretParam: ["size=X", "password=EMPTY", "key=hunter2 secret", "a=-", "b=-", "noequals"],
      }),
    );
    assert.deepEqual(problems, [
      "--param: expected key=value",
      "--param: size: given more than once",
      "--secret-param: size: given more than once",
      "--secret-param: password: the environment variable named is not set, or empty",
      "--secret-param: key: expected the name of an environment variable holding the value (A-Z, a-z, 0-9, _), never the value itself",
      "--secret-param: b: only one value can come from standard input",
      "--secret-param: expected key=VARIABLE or key=-",
    ]);
    assert.ok(!problems.join("\n").includes("hunter2"));
    assert.ok(!problems.join("\n").includes("EMPTY"));
    assert.equal(none.reads, 0, "standard input is read only once every flag is fine");
    assert.deepEqual(await refusal(() => readStackParameters(io({}, "\n"), { secretParam: ["key=-"] })), [
      "--secret-param: key: standard input was empty",
    ]);
  });
});

describe("the platform's enums as the CLI's words", () => {
  it("are the service's own words for languages, roles, stack statuses and version states", () => {
    assert.deepEqual(LANGUAGES.words.sort(), [...TEMPLATE_LANGUAGES].sort());
    assert.deepEqual(
      ROLES.words,
      SERVICE_ROLES.filter((r) => r !== "provider-admin"),
    );
    assert.deepEqual(STACK_STATUSES.words, [...TENANT_STACK_STATUSES]);
    assert.deepEqual(VERSION_STATES.words, [...SERVICE_VERSION_STATES]);
    assert.equal(ROLES.text(ROLES.parse("--role", "tenant-admin")), "tenant-admin");
    assert.equal(STACK_STATUSES.text(99), "unknown");
  });
});

describe("the service's refusals as the CLI's errors", () => {
  const URL = "http://127.0.0.1:7420";
  const problems = (error: unknown) =>
    error instanceof StackwrightInputError ? error.problems.map((p) => `${p.at}: ${p.message}`) : error;

  it("gives every problem of a platform refusal a line of its own, at its field", () => {
    const error = new ConnectError(
      "parameters.size: must be <= 4\nfiles/Pulumi.yaml:3:7: unknown key\nsecretParameters.apiKey: is required",
      Code.InvalidArgument,
    );
    assert.deepEqual(problems(cliError(error, URL)), [
      "parameters.size: must be <= 4",
      "files/Pulumi.yaml:3:7: unknown key",
      "secretParameters.apiKey: is required",
    ]);
  });

  it("keeps a message that is not a list of problems whole, and strips what would drive a terminal", () => {
    assert.deepEqual(
      problems(cliError(new ConnectError("stack: no stack 'a/b/c'\n  is registered", Code.NotFound), URL)),
      ["stack: no stack 'a/b/c'\n  is registered"],
    );
    assert.deepEqual(problems(cliError(new ConnectError("internal error", Code.Internal), URL)), [
      `${URL}: internal error`,
    ]);
    assert.deepEqual(
      problems(cliError(new ConnectError("name: no stack \u001b]0;pwned\u0007web", Code.NotFound), URL)),
      ["name: no stack web"],
    );
  });

  it("names the token for a refused one and the URL for an unreachable service", () => {
    assert.deepEqual(problems(cliError(new ConnectError("tenant: bad token", Code.Unauthenticated), URL)), [
      `STACKWRIGHT_API_TOKEN: the job service at ${URL} refused the API token`,
    ]);
    assert.deepEqual(problems(cliError(new ConnectError("connect ECONNREFUSED", Code.Unavailable), URL)), [
      `--url: cannot reach the job service at ${URL}: connect ECONNREFUSED`,
    ]);
    const other = new Error("not the API's");
    assert.equal(cliError(other, URL), other);
  });
});
