import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statSync,
} from "node:fs";
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, join } from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import { templateContentHash } from "../../../src/catalog/content-hash";
import type { TemplateLanguage } from "../../../src/jobs/domain/catalogue";
import { mirrorProject } from "../../../src/jobs/workspace/project-workspace";
import {
  type PreparedTemplate,
  type TemplateProgram,
  TemplateWorkspaces,
} from "../../../src/jobs/workspace/template-workspaces";
import {
  makeBuildDir,
  publishByLink,
  publishByRename,
  sweepAbandonedBuilds,
} from "../../../src/jobs/workspace/template-workspaces/build-dirs";
import pins from "../../../versions.json";
import { createIsolatedEngine, type IsolatedEngine } from "../../support/isolated-engine";
import { pythonInterpreter } from "../../support/paths";
import { parse } from "../../support/yaml";

/**
 * Installs are kept between runs (as a service keeps them), so a warm run only resolves; each run
 * gets versions of its own (a fresh content hash), which are built anew.
 */
const INSTALLS = join(
  process.env.STACKWRIGHT_CACHE ?? join(homedir(), ".cache", "stackwright"),
  "test-template-installs",
);
const RUN = randomUUID();

let engine: IsolatedEngine;
let versionsDir: string;
before(async () => {
  engine = await createIsolatedEngine();
  versionsDir = join(engine.dir, "versions");
  await mkdir(versionsDir);
});
after(async () => engine?.dispose());

function workspaces(options: { progress?: string[]; installsDir?: string } = {}): TemplateWorkspaces {
  return new TemplateWorkspaces({
    versionsDir,
    installsDir: options.installsDir ?? INSTALLS,
    env: process.env,
    python: pythonInterpreter(),
    onProgress: (message) => options.progress?.push(message),
  });
}

/** A version of this run's own: the same program in another run hashes differently. */
function version(
  language: TemplateLanguage,
  files: Record<string, string>,
  dependencies: Record<string, string> = {},
): TemplateProgram {
  const contentHash = templateContentHash({
    language,
    files,
    dependencies,
    parameters: { run: RUN, at: Math.random() },
  });
  return { contentHash, language, files, dependencies };
}

const hexOf = (v: TemplateProgram) => v.contentHash.slice("sha256:".length);

/**
 * Build directories (`<name>.b-<host>-<pid>-<random>`) of this process left in `dir`; an install
 * stays where it was built, so one that a link publishes is not left over.
 */
function leftovers(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir);
  const published = new Set(
    names
      .filter((name) => lstatSync(join(dir, name)).isSymbolicLink())
      .map((name) => readlinkSync(join(dir, name))),
  );
  return names.filter((name) => name.includes(`-${process.pid}-`) && !published.has(name));
}

async function timed<T>(t: TestContext, what: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await work();
  t.diagnostic(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

let stacks = 0;
/**
 * Runs the prepared program as the service does, in a view of its directory (the engine writes the
 * stack's settings into the view, never into the program): `pulumi up` with `who` set, then the
 * stack's outputs.
 */
async function upAndOutputs(prepared: PreparedTemplate): Promise<Record<string, unknown>> {
  const view = await mkdtemp(join(engine.dir, "view-"));
  mirrorProject(prepared.dir, view);
  const stack = `organization/${prepared.project}/dev${++stacks}`;
  const ok = async (args: string[]) => {
    const result = await engine.pulumi(args, { cwd: view });
    assert.equal(result.code, 0, `pulumi ${args.join(" ")}:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  };
  await ok(["stack", "init", stack]);
  await ok(["config", "set", "who", "tenant", "--stack", stack]);
  await ok(["up", "--yes", "--skip-preview", "--stack", stack]);
  const outputs = JSON.parse(await ok(["stack", "output", "--json", "--stack", stack])) as Record<
    string,
    unknown
  >;
  assert.deepEqual(
    readdirSync(prepared.dir).filter((name) => /^Pulumi\..+\.yaml$/.test(name)),
    [],
    "the engine wrote a stack settings file into the program",
  );
  return outputs;
}

const YAML_PROGRAM = {
  "Pulumi.yaml": [
    "name: tpl-yaml",
    "runtime: yaml",
    "config:",
    "  who:",
    "    type: string",
    "outputs:",
    "  greeting: hello ${who}",
    "",
  ].join("\n"),
};

const TYPESCRIPT_PROGRAM = {
  "Pulumi.yaml": "name: tpl-typescript\nruntime: nodejs\n",
  "index.ts": [
    'import * as pulumi from "@pulumi/pulumi";',
    'import { greet } from "./lib/greeting";',
    "",
    "const config = new pulumi.Config();",
    'export const greeting = greet(config.require("who"));',
    "export const shouted = pulumi.output(greeting).apply((g) => g.toUpperCase());",
    "export const stack = pulumi.getStack();",
    "",
  ].join("\n"),
  "lib/greeting.ts": "export function greet(who: string): string {\n  return `hello ${who}`;\n}\n",
};

const PYTHON_PROGRAM = {
  "Pulumi.yaml": "name: tpl-python\nruntime:\n  name: python\n  options:\n    toolchain: pip\n",
  "__main__.py": [
    "import sys",
    "",
    "import pulumi",
    "",
    "from greeting import greet",
    "",
    "config = pulumi.Config()",
    'pulumi.export("greeting", greet(config.require("who")))',
    'pulumi.export("shouted", pulumi.Output.from_input(greet(config.require("who"))).apply(str.upper))',
    'pulumi.export("prefix", sys.prefix)',
    "",
  ].join("\n"),
  "greeting.py": 'def greet(who: str) -> str:\n    return f"hello {who}"\n',
};

describe("template workspaces: YAML", () => {
  it("writes a version's files once and reuses the directory after, in this process and the next", async (t) => {
    const progress: string[] = [];
    const v = version("yaml", YAML_PROGRAM);
    const first = await timed(t, "yaml prepare", () => workspaces({ progress }).prepare(v));
    assert.deepEqual(first, { dir: join(versionsDir, hexOf(v)), runtime: "yaml", project: "tpl-yaml" });
    assert.equal(readFileSync(join(first.dir, "Pulumi.yaml"), "utf8"), YAML_PROGRAM["Pulumi.yaml"]);
    assert.deepEqual(readdirSync(first.dir), ["Pulumi.yaml"]);

    // A file the build never writes: a rebuild would have discarded the directory with it.
    await writeFile(join(first.dir, "marker"), "");
    const inode = statSync(first.dir).ino;
    const sameProcess = workspaces({ progress });
    assert.deepEqual(await sameProcess.prepare(v), first);
    const nextProcess = workspaces({ progress });
    assert.deepEqual(await nextProcess.prepare(v), first);
    assert.ok(existsSync(join(first.dir, "marker")), "the directory was rebuilt");
    assert.equal(statSync(first.dir).ino, inode);
    assert.equal(progress.filter((m) => m.includes("building")).length, 1, progress.join("\n"));
    assert.equal(progress.filter((m) => m.includes("ready (cached)")).length, 2, progress.join("\n"));

    assert.deepEqual(await upAndOutputs(first), { greeting: "hello tenant" });
  });

  it("builds a version once when several prepare it at once", async () => {
    const progress: string[] = [];
    const shared = workspaces({ progress });
    const v = version("yaml", YAML_PROGRAM);
    const results = await Promise.all([1, 2, 3, 4].map(() => shared.prepare(v)));
    for (const result of results) assert.deepEqual(result, results[0]);
    assert.equal(progress.filter((m) => m.includes("building")).length, 1, progress.join("\n"));
    assert.deepEqual(leftovers(versionsDir), []);
  });

  it("refuses what it could not run, and writes nothing", async () => {
    const bad: [TemplateProgram, RegExp][] = [
      [{ ...version("yaml", YAML_PROGRAM), contentHash: "sha256:abc" }, /is not sha256:<64 hex digits>/],
      [
        version("yaml", { "Pulumi.yaml": "name: x\nruntime: nodejs\n" }),
        /runtime is nodejs; a yaml template runs on yaml/,
      ],
      [version("yaml", { "main.yaml": "outputs: {}\n" }), /has no Pulumi.yaml/],
      [version("yaml", YAML_PROGRAM, { left: "1.0.0" }), /a YAML template installs nothing/],
      [version("yaml", { ...YAML_PROGRAM, "../escape": "" }), /not a relative path inside the program/],
      [
        version("typescript", { ...TYPESCRIPT_PROGRAM, "node_modules/x/index.js": "" }),
        /where the workspace puts node_modules/,
      ],
      [
        // Refused before npm runs: no dependency of it would resolve.
        version(
          "typescript",
          { ...TYPESCRIPT_PROGRAM, "package.json": "{main: index.ts}" },
          {
            "@stackwright-test/does-not-exist": "1.0.0",
          },
        ),
        /the template's package.json is not JSON/,
      ],
      [
        version("typescript", TYPESCRIPT_PROGRAM, { evil: "git+https://example.com/evil.git" }),
        /is not a registry version/,
      ],
      [
        version("python", PYTHON_PROGRAM, { "--index-url=https://example.com": "1.0" }),
        /is not a registry package name/,
      ],
    ];
    const before = readdirSync(versionsDir);
    for (const [v, message] of bad) await assert.rejects(workspaces().prepare(v), message);
    assert.deepEqual(readdirSync(versionsDir), before);
  });
});

describe("template workspaces: TypeScript", () => {
  const dependencies = { "@pulumi/pulumi": pins.pulumi };

  it("installs @pulumi/pulumi once per lockfile and runs the program under the engine", async (t) => {
    const v = version("typescript", TYPESCRIPT_PROGRAM, dependencies);
    const prepared = await timed(t, "typescript prepare", () => workspaces().prepare(v));
    assert.deepEqual(prepared, {
      dir: join(versionsDir, hexOf(v)),
      runtime: "nodejs",
      project: "tpl-typescript",
    });

    const link = join(prepared.dir, "node_modules");
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.ok(readlinkSync(link).startsWith(join(INSTALLS, "npm")), readlinkSync(link));
    const sdk = realpathSync(join(link, "@pulumi", "pulumi"));
    assert.ok(sdk.startsWith(realpathSync(INSTALLS)), sdk);
    assert.equal(JSON.parse(readFileSync(join(sdk, "package.json"), "utf8")).version, pins.pulumi);
    // The code check's TypeScript joins the template's own dependencies, which name none.
    const checkers = JSON.parse(readFileSync(require.resolve("typescript/package.json"), "utf8")).version;
    assert.deepEqual(JSON.parse(readFileSync(join(prepared.dir, "package.json"), "utf8")).dependencies, {
      ...dependencies,
      typescript: checkers,
    });
    assert.equal(realpathSync(join(link, "typescript")).startsWith(realpathSync(INSTALLS)), true);
    const lock = JSON.parse(readFileSync(join(prepared.dir, "package-lock.json"), "utf8"));
    assert.equal(lock.packages["node_modules/@pulumi/pulumi"].version, pins.pulumi);

    // Another version with the same dependencies resolves to the same lockfile, so the same install.
    const progress: string[] = [];
    const other = version(
      "typescript",
      { ...TYPESCRIPT_PROGRAM, "README.md": "another version\n" },
      dependencies,
    );
    const second = await timed(t, "typescript prepare, another version, same dependencies", () =>
      workspaces({ progress }).prepare(other),
    );
    assert.equal(readlinkSync(join(second.dir, "node_modules")), readlinkSync(link));
    assert.equal(progress.filter((m) => m.startsWith("npm: installing")).length, 0, progress.join("\n"));

    assert.deepEqual(await upAndOutputs(prepared), {
      greeting: "hello tenant",
      shouted: "HELLO TENANT",
      stack: `dev${stacks}`,
    });
  });

  it("keeps one copy when two processes build the same version at once; the other is discarded", async () => {
    // Two instances share nothing in memory, as two processes do; npm takes seconds to resolve,
    // so both are building when the first renames its copy into place.
    const progress: string[] = [];
    const v = version("typescript", TYPESCRIPT_PROGRAM, dependencies);
    const [a, b] = await Promise.all([
      workspaces({ progress }).prepare(v),
      workspaces({ progress }).prepare(v),
    ]);
    assert.deepEqual(a, b);
    assert.equal(progress.filter((m) => m.includes("building")).length, 2, progress.join("\n"));
    assert.equal(progress.filter((m) => m.includes("this copy is discarded")).length, 1, progress.join("\n"));
    assert.deepEqual(readdirSync(a.dir).sort(), [
      "Pulumi.yaml",
      "index.ts",
      "lib",
      "node_modules",
      "package-lock.json",
      "package.json",
    ]);
    assert.deepEqual(leftovers(versionsDir), []);
  });

  it("never runs a package's install scripts", async () => {
    // npm runs every lifecycle script through its script shell: a recording one shows whether any
    // ran. @pulumi/pulumi's tree has one (protobufjs' postinstall), so installing it afresh, in
    // installs of this test's own, would run it.
    const installs = await mkdtemp(join(engine.dir, "installs-"));
    const record = join(installs, "scripts-run");
    const shell = join(installs, "recording-shell");
    await writeFile(shell, `#!/bin/sh\necho "$*" >> '${record}'\nexec /bin/sh "$@"\n`, { mode: 0o755 });
    const progress: string[] = [];
    const prepared = await new TemplateWorkspaces({
      versionsDir,
      installsDir: installs,
      env: { ...process.env, npm_config_script_shell: shell },
      onProgress: (message) => progress.push(message),
    }).prepare(version("typescript", TYPESCRIPT_PROGRAM, dependencies));
    assert.ok(
      progress.some((m) => m.startsWith("npm: installing")),
      progress.join("\n"),
    );
    const lock = JSON.parse(readFileSync(join(prepared.dir, "package-lock.json"), "utf8"));
    assert.ok(
      Object.values(lock.packages).some(
        (entry) => (entry as { hasInstallScript?: boolean }).hasInstallScript,
      ),
      "no package of the tree has an install script: this test shows nothing",
    );
    assert.ok(!existsSync(record), existsSync(record) ? readFileSync(record, "utf8") : "");
  });

  it("fails with npm's error when a package does not exist, and leaves nothing behind", async () => {
    const v = version("typescript", TYPESCRIPT_PROGRAM, {
      ...dependencies,
      "@stackwright-test/does-not-exist": "1.0.0",
    });
    await assert.rejects(workspaces().prepare(v), (error: Error) => {
      assert.match(error.message, /^npm install \(resolving dependencies\) failed \(exit 1\):/);
      assert.match(error.message, /npm error 404/);
      assert.match(error.message, /@stackwright-test\/does-not-exist/);
      assert.ok(error.message.split("\n").length <= 31, error.message);
      return true;
    });
    assert.ok(!existsSync(join(versionsDir, hexOf(v))));
    assert.deepEqual(leftovers(versionsDir), []);
    assert.deepEqual(leftovers(join(INSTALLS, "npm")), []);
  });

  it("stops npm when the only job waiting gives up, but not while another still waits", async () => {
    const v = version("typescript", TYPESCRIPT_PROGRAM, dependencies);
    const shared = workspaces();
    const giveUp = new AbortController();
    const leaving = shared.prepare(v, giveUp.signal);
    const staying = shared.prepare(v);
    setTimeout(() => giveUp.abort(new Error("job canceled")), 300);
    await assert.rejects(leaving, /job canceled/);
    assert.ok(existsSync(join((await staying).dir, "node_modules", "@pulumi", "pulumi")));

    const alone = version("typescript", TYPESCRIPT_PROGRAM, dependencies);
    const progress: string[] = [];
    const cancel = new AbortController();
    const canceled = workspaces({ progress }).prepare(alone, cancel.signal);
    setTimeout(() => cancel.abort(new Error("job canceled")), 1000);
    await assert.rejects(canceled, /job canceled/);
    assert.ok(progress.includes("npm: resolving dependencies"), "npm was not running yet");
    assert.ok(!existsSync(join(versionsDir, hexOf(alone))));
    assert.deepEqual(leftovers(versionsDir), []);
    assert.deepEqual(leftovers(join(INSTALLS, "npm")), []);
  });
});

describe("template workspaces: Python", () => {
  const dependencies = { pulumi: pins.pulumi };

  it("makes a virtualenv with pulumi, points Pulumi.yaml at it and runs the program in it", async (t) => {
    const v = version("python", PYTHON_PROGRAM, dependencies);
    const prepared = await timed(t, "python prepare", () => workspaces().prepare(v));
    assert.deepEqual(prepared, {
      dir: join(versionsDir, hexOf(v)),
      runtime: "python",
      project: "tpl-python",
    });
    const project = parse(readFileSync(join(prepared.dir, "Pulumi.yaml"), "utf8"));
    const virtualenv = project.runtime.options.virtualenv as string;
    assert.ok(virtualenv.startsWith(join(INSTALLS, "python")), virtualenv);
    assert.equal(project.runtime.options.toolchain, "pip");
    assert.ok(existsSync(join(virtualenv, "bin", "python")));

    const outputs = await upAndOutputs(prepared);
    // The virtualenv's own prefix: the program ran there, not in the bootstrap's interpreter.
    assert.deepEqual(outputs, { greeting: "hello tenant", shouted: "HELLO TENANT", prefix: virtualenv });
  });

  it("fails with pip's error when a package does not exist, and leaves nothing behind", async () => {
    const v = version("python", PYTHON_PROGRAM, {
      ...dependencies,
      "stackwright-test-does-not-exist": "1.0.0",
    });
    await assert.rejects(workspaces().prepare(v), (error: Error) => {
      assert.match(error.message, /^pip install failed \(exit 1\):/);
      assert.match(
        error.message,
        /No matching distribution found for stackwright-test-does-not-exist==1\.0\.0/,
      );
      return true;
    });
    assert.ok(!existsSync(join(versionsDir, hexOf(v))));
    assert.deepEqual(leftovers(versionsDir), []);
    assert.deepEqual(leftovers(join(INSTALLS, "python")), []);
  });

  it("installs wheels only: a package published only as source is refused, its setup never run", async () => {
    // docopt 0.6.2 exists on PyPI only as an sdist, whose setup.py pip would otherwise run. In
    // installs of this test's own: a virtualenv with it, wrongly made, would not stay to pass the next run.
    const installs = await mkdtemp(join(engine.dir, "installs-"));
    const v = version("python", PYTHON_PROGRAM, { ...dependencies, docopt: "0.6.2" });
    await assert.rejects(
      workspaces({ installsDir: installs }).prepare(v),
      /No matching distribution found for docopt==0\.6\.2/,
    );
    assert.ok(!existsSync(join(versionsDir, hexOf(v))));
    assert.deepEqual(readdirSync(join(installs, "python")), []);
  });

  it("makes the virtualenv again when it was removed, and follows installsDir when it moves", async () => {
    // No dependencies: a bare virtualenv, quick to make, in installs of this test's own.
    const installs = await mkdtemp(join(engine.dir, "installs-"));
    const v = version("python", PYTHON_PROGRAM);
    const prepared = await workspaces({ installsDir: installs }).prepare(v);
    const virtualenvOf = () =>
      parse(readFileSync(join(prepared.dir, "Pulumi.yaml"), "utf8")).runtime.options.virtualenv;
    const first = virtualenvOf();
    assert.ok(first.startsWith(installs), first);

    await rm(realpathSync(first), { recursive: true });
    assert.ok(!existsSync(join(first, "bin", "python")));
    assert.deepEqual(await workspaces({ installsDir: installs }).prepare(v), prepared);
    assert.equal(virtualenvOf(), first);
    assert.ok(existsSync(join(first, "bin", "python")), "the virtualenv was not made again");

    const moved = await mkdtemp(join(engine.dir, "installs-"));
    await workspaces({ installsDir: moved }).prepare(v);
    assert.ok(virtualenvOf().startsWith(moved), virtualenvOf());
    assert.ok(existsSync(join(virtualenvOf(), "bin", "python")));
    assert.deepEqual(leftovers(prepared.dir), []);
  });
});

describe("template workspaces: build directories", () => {
  it("publishes by rename once: the second copy of the same entry is discarded", async () => {
    const parent = await mkdtemp(join(engine.dir, "builds-"));
    const [a, b] = [await makeBuildDir(parent, "entry"), await makeBuildDir(parent, "entry")];
    await writeFile(join(a, "from"), "a");
    await writeFile(join(b, "from"), "b");
    assert.equal(await publishByRename(a, join(parent, "entry")), true);
    assert.equal(await publishByRename(b, join(parent, "entry")), false);
    assert.deepEqual(readdirSync(parent), ["entry"]);
    assert.equal(readFileSync(join(parent, "entry", "from"), "utf8"), "a");
  });

  it("publishes by link once, and replaces a link whose build was removed", async () => {
    const parent = await mkdtemp(join(engine.dir, "builds-"));
    const [a, b] = [await makeBuildDir(parent, "entry"), await makeBuildDir(parent, "entry")];
    assert.equal(await publishByLink(a, join(parent, "entry")), true);
    assert.equal(await publishByLink(b, join(parent, "entry")), false);
    assert.ok(!existsSync(b));
    assert.equal(readlinkSync(join(parent, "entry")), basename(a));

    await rm(a, { recursive: true });
    const c = await makeBuildDir(parent, "entry");
    assert.equal(await publishByLink(c, join(parent, "entry")), true);
    assert.equal(readlinkSync(join(parent, "entry")), basename(c));
    assert.deepEqual(readdirSync(parent).sort(), ["entry", basename(c)].sort());
  });

  it("sweeps what a dead process of this host left, and nothing else", async () => {
    const parent = await mkdtemp(join(engine.dir, "builds-"));
    const dead = await exitedPid();
    // Named as this process names its builds, then given the dead process's id (or another host's).
    const renamed = async (dir: string, change: (name: string) => string) => {
      const to = join(parent, change(basename(dir)));
      await rename(dir, to);
      return basename(to);
    };
    const ofDead = (name: string) => name.replace(`-${process.pid}-`, `-${dead}-`);
    const abandoned = await renamed(await makeBuildDir(parent, "abandoned"), ofDead);
    const published = await renamed(await makeBuildDir(parent, "published"), ofDead);
    await symlink(published, join(parent, "published"));
    const otherHost = await renamed(await makeBuildDir(parent, "elsewhere"), (name) =>
      ofDead(name).replace(/\.b-[0-9a-f]{8}-/, ".b-00000000-"),
    );
    const live = basename(await makeBuildDir(parent, "live"));

    await sweepAbandonedBuilds(parent);
    const left = readdirSync(parent);
    assert.ok(!left.includes(abandoned), "a dead process's build was kept");
    for (const kept of [published, "published", otherHost, live])
      assert.ok(left.includes(kept), `${kept} was swept`);
  });
});

/** The id of a process that has exited. */
function exitedPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("true");
    child.on("error", reject);
    child.on("exit", () => resolve(child.pid as number));
  });
}
