import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Problem } from "../../../src/core/errors";
import { checkTemplateCode, type TemplateCode } from "../../../src/jobs/workspace/template-code-check";
import { parseInterpolations } from "../../../src/jobs/workspace/template-code-check/interpolation";

const NO_PARAMETERS = { properties: {} };

function typescript(files: Record<string, string>, dependencies: Record<string, string> = {}): TemplateCode {
  return {
    language: "typescript",
    files: { "Pulumi.yaml": "name: web\nruntime: nodejs\n", ...files },
    dependencies: { "@pulumi/pulumi": "^3.0.0", ...dependencies },
    parameters: { properties: { replicas: { type: "integer" } } },
  };
}

function python(files: Record<string, string>): TemplateCode {
  return {
    language: "python",
    files: { "Pulumi.yaml": "name: web\nruntime: python\n", ...files },
    dependencies: { pulumi: ">=3.0.0,<4.0.0" },
    parameters: NO_PARAMETERS,
  };
}

function yamlProgram(program: string, parameters: Record<string, unknown> = {}): TemplateCode {
  return {
    language: "yaml",
    files: { "Pulumi.yaml": `name: web\nruntime: yaml\n${program}` },
    dependencies: {},
    parameters: { properties: parameters },
  };
}

/** A problem whose `at` is exactly `at` and whose message matches. */
function assertProblem(problems: readonly Problem[], at: string, message: RegExp): void {
  const found = problems.find((p) => p.at === at && message.test(p.message));
  assert.ok(found, `no problem at ${at} matching ${message} in ${JSON.stringify(problems, null, 2)}`);
}

const COMPONENT_PROGRAM = `import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import leftPad from "left-pad";
import { label } from "./lib/label";

interface WebArgs {
  replicas: pulumi.Input<number>;
}

class Web extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: WebArgs, opts?: pulumi.ComponentResourceOptions) {
    super("acme:index:Web", name, {}, opts);
    this.url = pulumi.interpolate\`https://\${label(name)}/\${args.replicas}\`;
    this.registerOutputs({ url: this.url });
  }
}

const config = new pulumi.Config();
const replicas = config.requireNumber("replicas");
const web = new Web(leftPad("web", 5), { replicas });
export const url = web.url;
export const hasReadme = fs.existsSync("README.md");
`;

describe("template code check: TypeScript", () => {
  it("passes a program using the SDK's Config and a ComponentResource", async () => {
    const problems = await checkTemplateCode(
      typescript(
        {
          "index.ts": COMPONENT_PROGRAM,
          "lib/label.ts": "export function label(name: string): string {\n  return name.toLowerCase();\n}\n",
        },
        { "left-pad": "1.3.0" },
      ),
    );
    assert.deepEqual(problems, []);
  });

  it("reports a type error at its line and column, with the compiler's message", async () => {
    const problems = await checkTemplateCode(
      typescript({
        "index.ts": [
          'import * as pulumi from "@pulumi/pulumi";',
          "const config = new pulumi.Config();",
          'const replicas: string = config.requireNumber("replicas");',
          "export const out = replicas;",
          "",
        ].join("\n"),
      }),
    );
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assertProblem(
      problems,
      "files/index.ts:3:7",
      /Type 'number' is not assignable to type 'string'\. \(TS2322\)/,
    );
  });

  it("holds SDK calls to the SDK's types", async () => {
    const problems = await checkTemplateCode(
      typescript({
        "index.ts": 'import * as pulumi from "@pulumi/pulumi";\nnew pulumi.Config().requireNumber(42);\n',
      }),
    );
    assertProblem(problems, "files/index.ts:2:35", /Argument of type 'number' is not assignable.*string/);
  });

  it("reports an import of a package that is neither declared nor available, at the import", async () => {
    const program =
      'import * as pulumi from "@pulumi/pulumi";\nimport { v4 } from "uuid";\nexport const id = v4();\n';
    const problems = await checkTemplateCode(typescript({ "index.ts": program }));
    assert.deepEqual(problems, [
      {
        at: "files/index.ts:2:20",
        message:
          "imports uuid, which is neither among the template's dependencies nor installed for the check; declare it in dependencies",
      },
    ]);
    // Declared, the same import is taken as untyped.
    assert.deepEqual(await checkTemplateCode(typescript({ "index.ts": program }, { uuid: "^9.0.0" })), []);
  });

  it("resolves relative imports to the template's own files only", async () => {
    const problems = await checkTemplateCode(
      typescript({
        "index.ts":
          'import { a } from "./missing";\nimport { b } from "../../outside";\nexport const c = [a, b];\n',
      }),
    );
    assertProblem(problems, "files/index.ts:1:19", /Cannot find module '\.\/missing'/);
    assertProblem(problems, "files/index.ts:2:19", /Cannot find module '\.\.\/\.\.\/outside'/);
  });

  it("reads nothing from disk but the SDK's declarations, whatever a template points at", async () => {
    const outside = mkdtempSync(join(tmpdir(), "stackwright-template-check-"));
    try {
      const declaration = join(outside, "outside.d.ts");
      writeFileSync(declaration, "declare const outsideValue: number;\n");
      const problems = await checkTemplateCode(
        typescript({
          "index.ts": `/// <reference path=${JSON.stringify(declaration)} />\nexport const x: number = outsideValue;\n`,
        }),
      );
      assertProblem(problems, "files/index.ts:1:22", /^File '.*outside\.d\.ts' not found\. \(TS6053\)$/);
      assertProblem(problems, "files/index.ts:2:26", /Cannot find name 'outsideValue'/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("needs the entry point Pulumi runs", async () => {
    const problems = await checkTemplateCode(typescript({ "main.ts": "export const x = 1;\n" }));
    assert.deepEqual(problems, [{ at: "files", message: "has no index.ts, the program Pulumi runs" }]);
    const withMain = await checkTemplateCode(
      typescript({
        "Pulumi.yaml": "name: web\nruntime: nodejs\nmain: src/\n",
        "src/index.ts": "export const x = 1;\n",
      }),
    );
    assert.deepEqual(withMain, []);
  });
});

describe("template code check: Python", () => {
  const program = [
    "import pulumi",
    "",
    "config = pulumi.Config()",
    'replicas = config.require_int("replicas")',
    'pulumi.export("replicas", replicas)',
    "",
  ].join("\n");

  it("passes a program that compiles", async () => {
    assert.deepEqual(
      await checkTemplateCode(python({ "__main__.py": program, "lib/util.py": "X = 1\n" })),
      [],
    );
  });

  it("reports each file's syntax error at its line and column", async () => {
    const problems = await checkTemplateCode(
      python({
        "__main__.py": "import pulumi\n\ndef broken(:\n    pass\n",
        "lib/util.py": "def f():\nreturn 1\n",
      }),
    );
    assert.equal(problems.length, 2, JSON.stringify(problems));
    assertProblem(problems, "files/__main__.py:3:12", /^SyntaxError: invalid syntax/);
    assertProblem(problems, "files/lib/util.py:2:1", /^IndentationError: expected an indented block/);
  });

  it("compiles without running: a program's side effects do not happen", async () => {
    const marker = join(tmpdir(), `stackwright-template-check-${process.pid}-${Date.now()}`);
    rmSync(marker, { force: true });
    const problems = await checkTemplateCode(
      python({ "__main__.py": `open(${JSON.stringify(marker)}, "w").write("ran")\nraise SystemExit(3)\n` }),
    );
    assert.deepEqual(problems, []);
    assert.equal(existsSync(marker), false);
  });

  it("needs __main__.py", async () => {
    const problems = await checkTemplateCode(python({ "main.py": program }));
    assert.deepEqual(problems, [{ at: "files", message: "has no __main__.py, the program Pulumi runs" }]);
  });

  it("throws, naming it, when the interpreter is missing", async () => {
    await assert.rejects(
      checkTemplateCode(python({ "__main__.py": program }), { python: "python3-that-does-not-exist" }),
      /the Python interpreter python3-that-does-not-exist was not found on PATH/,
    );
  });
});

describe("template code check: Pulumi YAML", () => {
  const program = [
    "config:", // 3
    "  size:", // 4
    "    type: integer", // 5
    "    default: 2", // 6
    "variables:", // 7
    "  prefix: ${pulumi.stack}-${pulumi.project}", // 8
    "  costs: $${not-a-reference}", // 9
    "resources:", // 10
    "  my-namespace:", // 11
    "    type: kubernetes:core/v1:Namespace", // 12
    "    properties:", // 13
    "      metadata:", // 14
    "        name: ${prefix}-${region}", // 15
    "  config-map:", // 16
    "    type: kubernetes:core/v1:ConfigMap", // 17
    "    properties:", // 18
    "      metadata:", // 19
    "        namespace: ${my-namespace.metadata.name}", // 20
    "      data:", // 21
    '        size: "${size}"', // 22
    '        first: ${my-namespace.metadata["labels"]["app"]}', // 23
    "    options:", // 24
    "      dependsOn:", // 25
    "        - ${my-namespace}", // 26
    "outputs:", // 27
    "  namespace: ${my-namespace.metadata.name}", // 28
    "  data: ${config-map.data}", // 29
    "",
  ].join("\n");

  it("passes a program whose references name its config, parameters, variables and resources", async () => {
    assert.deepEqual(await checkTemplateCode(yamlProgram(program, { region: { type: "string" } })), []);
  });

  it("reports an unknown reference at the reference, suggesting the near name", async () => {
    const problems = await checkTemplateCode(
      yamlProgram(program.replace("${prefix}-${region}", "${prefix}-${regoin}"), { region: {} }),
    );
    assert.deepEqual(problems, [
      {
        at: "files/Pulumi.yaml:15:25",
        message:
          "${regoin} refers to regoin, which is not a resource, a variable or a configuration key; did you mean region?",
      },
    ]);
  });

  it("reports unknown names in every section, and malformed references, all at once", async () => {
    const problems = await checkTemplateCode(
      yamlProgram(
        [
          "variables:", // 3
          "  a: ${nope}", // 4
          "resources:", // 5
          "  bucket:", // 6
          "    type: aws:s3:Bucket", // 7
          "    properties:", // 8
          "      tags:", // 9
          "        - x ${bucket.arn} ${pulumi.nothing}", // 10
          "        - ${unclosed", // 11
          "  untyped:", // 12
          "    properties: {}", // 13
          "outputs:", // 14
          '  o: "${missing[0]}"', // 15
          "",
        ].join("\n"),
      ),
    );
    assert.deepEqual(
      problems.map((p) => p.at),
      [
        "files/Pulumi.yaml:4:6",
        "files/Pulumi.yaml:10:27",
        "files/Pulumi.yaml:11:11",
        "files/Pulumi.yaml:12:3",
        "files/Pulumi.yaml:15:7",
      ],
    );
    assert.match(problems[0]?.message ?? "", /^\$\{nope\} refers to nope, which is not a resource/);
    assert.match(
      problems[1]?.message ?? "",
      /\$\{pulumi\.nothing\}: pulumi has stack, project, organization/,
    );
    assert.match(problems[2]?.message ?? "", /\$\{ is never closed by \}/);
    assert.match(problems[3]?.message ?? "", /resource untyped needs a type/);
    assert.match(problems[4]?.message ?? "", /^\$\{missing\[0\]\} refers to missing/);
  });

  it("reports a YAML syntax error at its line and column", async () => {
    const problems = await checkTemplateCode(yamlProgram("resources:\n  a:\n    type: x\n   bad: [1, 2\n"));
    assert.ok(problems.length >= 1, JSON.stringify(problems));
    assert.ok(
      problems.every((p) => /^files\/Pulumi\.yaml:\d+:\d+$/.test(p.at)),
      JSON.stringify(problems),
    );
    assert.deepEqual(problems[0], {
      at: "files/Pulumi.yaml:6:1",
      message: "All mapping items must start at the same column",
    });
  });

  it("reads the program from Main.yaml too", async () => {
    const problems = await checkTemplateCode({
      language: "yaml",
      files: {
        "Pulumi.yaml": "name: web\nruntime: yaml\nconfig:\n  size: 1\n",
        "Main.yaml":
          "resources:\n  r:\n    type: random:index:RandomPet\n    properties:\n      length: ${siz}\n",
      },
      dependencies: {},
      parameters: NO_PARAMETERS,
    });
    assert.deepEqual(problems, [
      {
        at: "files/Main.yaml:5:15",
        message:
          "${siz} refers to siz, which is not a resource, a variable or a configuration key; did you mean size?",
      },
    ]);
  });

  it("parses references as Pulumi YAML does", () => {
    const { references, errors } = parseInterpolations(
      '$${x} ${a.b[0]["c.d"]} ${["q \\"k\\""].e} ${my-bucket}',
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(
      references.map((r) => [r.root, r.rest, r.offset]),
      [
        ["a", ["b", 0, "c.d"], 6],
        ['q "k"', ["e"], 23],
        ["my-bucket", [], 40],
      ],
    );
    assert.match(parseInterpolations("${[0]}").errors[0]?.message ?? "", /starts with a name/);
    assert.match(parseInterpolations("${a[x]}").errors[0]?.message ?? "", /\[x\] is not a list index/);
    assert.match(parseInterpolations("${}").errors[0]?.message ?? "", /refers to nothing/);
  });
});

describe("template code check: the project and the files", () => {
  it("reports a runtime that is not the language's, at the runtime", async () => {
    const problems = await checkTemplateCode(
      typescript({ "Pulumi.yaml": "name: web\nruntime: python\n", "index.ts": "export const x = 1;\n" }),
    );
    assert.deepEqual(problems, [
      {
        at: "files/Pulumi.yaml:2:10",
        message: 'runtime is "python"; a typescript template runs on "nodejs"',
      },
    ]);
    const inOptions = await checkTemplateCode(
      python({
        "Pulumi.yaml": "name: web\nruntime:\n  name: nodejs\n  options: {}\n",
        "__main__.py": "x = 1\n",
      }),
    );
    assert.deepEqual(inOptions, [
      { at: "files/Pulumi.yaml:3:9", message: 'runtime is "nodejs"; a python template runs on "python"' },
    ]);
  });

  it("needs Pulumi.yaml", async () => {
    const problems = await checkTemplateCode({
      language: "yaml",
      files: { "Main.yaml": "resources: {}\n" },
      dependencies: {},
      parameters: NO_PARAMETERS,
    });
    assert.deepEqual(problems, [{ at: "files", message: "has no Pulumi.yaml at the program's root" }]);
  });

  it("refuses paths that leave the program or are not plain relative paths", async () => {
    const problems = await checkTemplateCode(
      typescript({
        "index.ts": "export const x = 1;\n",
        "../escape.ts": "export {};\n",
        "lib/../../escape.ts": "export {};\n",
        "/etc/cron.d/job": "x\n",
        "C:/x.ts": "x\n",
        "a\\b.ts": "x\n",
        "nul\u0000.ts": "x\n",
        "a//b.ts": "x\n",
        lib: "x\n",
        "lib/x.ts": "export const x = 1;\n",
      }),
    );
    assert.deepEqual(problems.map((p) => p.at).sort(), [
      "files/../escape.ts",
      "files//etc/cron.d/job",
      "files/C:/x.ts",
      "files/a//b.ts",
      "files/a\\b.ts",
      "files/lib",
      "files/lib/../../escape.ts",
      "files/nul\\u0000.ts",
    ]);
    assertProblem(problems, "files/../escape.ts", /\. or \.\. segment/);
    assertProblem(problems, "files//etc/cron.d/job", /absolute path/);
    assertProblem(problems, "files/lib", /is a file, yet lib\/x\.ts puts it as a directory/);
  });

  it("bounds the number and the size of files", async () => {
    const many: Record<string, string> = { "Pulumi.yaml": "name: web\nruntime: yaml\n" };
    for (let i = 0; i < 200; i++) many[`f${i}.yaml`] = "a: 1\n";
    assert.deepEqual(
      await checkTemplateCode({ language: "yaml", files: many, dependencies: {}, parameters: NO_PARAMETERS }),
      [{ at: "files", message: "has 201 files; at most 200" }],
    );
    const big = yamlProgram(`description: ${"x".repeat(600 * 1024)}\n`);
    const bytes = Buffer.byteLength(big.files["Pulumi.yaml"] ?? "");
    assert.deepEqual(await checkTemplateCode(big), [
      { at: "files/Pulumi.yaml", message: `is ${bytes} bytes; at most ${512 * 1024}` },
    ]);
  });

  it("survives programs nested deeper than the parsers recurse", async () => {
    const depth = 100_000;
    const ts = await checkTemplateCode(
      typescript({ "index.ts": `export const x = ${"(".repeat(depth)}1${")".repeat(depth)};\n` }),
    );
    assert.deepEqual(ts, [{ at: "files", message: "are nested too deeply to type-check" }]);
    const yaml = await checkTemplateCode(
      yamlProgram(`variables:\n  x: ${"[".repeat(depth)}${"]".repeat(depth)}\n`),
    );
    assert.equal(yaml.length, 1, JSON.stringify(yaml));
    assert.match(yaml[0]?.at ?? "", /^files\/Pulumi\.yaml:4:\d+$/);
    assert.equal(yaml[0]?.message, "is nested too deeply to parse");
  });

  it("reports several problems at once, across the checks", async () => {
    const problems = await checkTemplateCode(
      typescript({
        "Pulumi.yaml": "name: web\nruntime: go\n",
        "../x.ts": "",
        "index.ts":
          'import * as pulumi from "@pulumi/pulumi";\nexport const n: number = new pulumi.Config().require("a");\n',
        "util.ts": 'import { z } from "zod";\nexport const s = z;\n',
      }),
    );
    assert.deepEqual(
      problems.map((p) => p.at),
      ["files/../x.ts", "files/Pulumi.yaml:2:10", "files/index.ts:2:14", "files/util.ts:1:19"],
    );
  });
});
