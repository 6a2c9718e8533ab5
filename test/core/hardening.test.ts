import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parse as parseYaml11 } from "yaml";
import { MAX_DEPTH, MAX_MANIFEST_BYTES } from "../../src/core/bounds";
import { buildProgram, buildStack, manifestYaml, prepareComponent } from "../../src/core/manifests";
import { type PackageSchema, parsePackageSchema } from "../../src/core/package-schema";
import { backendProblem, checkStackOptions, stackNameProblem } from "../../src/core/stack-options";
import { parseYaml, toYaml, YamlLimitError } from "../../src/core/yaml";
import { parseServiceConfig } from "../../src/jobs/config/service-config";
import { databaseRequest, OPEN_COMPONENT_SCHEMA, problemsOf } from "../support/core-fixtures";
import { SAMPLE_COMPONENT_SCHEMA } from "../support/paths";

const sample = parsePackageSchema(readFileSync(SAMPLE_COMPONENT_SCHEMA, "utf8"), "sample-schema.json");
const database = prepareComponent(sample, "sample:index:Database");
/** A component whose `extra` input takes any value, as `spec.extra` did in the issue's reports. */
const open = prepareComponent(OPEN_COMPONENT_SCHEMA, undefined);

describe("injection into the Program's Pulumi YAML", () => {
  for (const key of ["Fn::ReadFile", "FN::INVOKE", "fN::unsecret", "Fn::fileAsset", "fn::secret"]) {
    it(`refuses the built-in function key ${key} in any case`, () => {
      const messages = problemsOf(() =>
        buildProgram(open, databaseRequest({ extra: { [key]: "/etc/hostname" } })),
      );
      assert.deepEqual(messages, [
        `spec.extra.${key}: keys starting with 'fn::' (in any case) are Pulumi YAML built-in functions and cannot appear in a request`,
      ]);
    });
  }

  it("escapes interpolation in keys as in values", () => {
    const program = buildProgram(
      open,
      databaseRequest({ tags: { "${adminPassword}": "x" }, extra: { a: { k$: "$" } } }),
    );
    const properties = program.program.resources.c?.properties;
    assert.deepEqual(properties?.tags, { "$${adminPassword}": "x" });
    assert.deepEqual(properties?.extra, { a: { k$$: "$$" } });
    assert.equal(properties?.adminPassword, "${adminPassword}", "the one interpolation is Stackwright's own");
  });

  for (const name of ["constructor", "toString", "hasOwnProperty", "valueOf", "__proto__"]) {
    it(`refuses the inherited name ${name} as an unknown field at every level`, () => {
      const spec = JSON.parse(
        `{"engine": "postgres", "size": 1, "${name}": 1, "settings": {"${name}": {}}, "replicas": [{"region": "eu", "${name}": "x"}]}`,
      );
      const messages = problemsOf(() => buildProgram(database, databaseRequest(spec)));
      assert.deepEqual(
        messages.sort(),
        [
          `spec.${name}: is not a field of spec; expected one of: engine, replicas, settings, size, tags`,
          `spec.replicas[0].${name}: is not a field of spec.replicas[0]; expected one of: region, size`,
          `spec.settings.${name}: is not a field of spec.settings; expected one of: backup, maintenanceWindow`,
        ].sort(),
      );
    });
  }

  it("does not take an inherited name for a present required field", () => {
    const schema: PackageSchema = {
      name: "t",
      resources: {
        "t:index:C": {
          isComponent: true,
          inputProperties: { constructor: { type: "string" } },
          requiredInputs: ["constructor"],
        },
      },
    };
    assert.deepEqual(
      problemsOf(() => buildProgram(prepareComponent(schema, undefined), databaseRequest({}))),
      ["spec.constructor: is required"],
    );
  });

  it("does not find a type through an inherited name", () => {
    const schema: PackageSchema = {
      name: "t",
      resources: { "t:index:C": { isComponent: true, inputProperties: { a: { $ref: "#/types/toString" } } } },
      types: { "t:index:T": { type: "object" } },
    };
    assert.deepEqual(
      problemsOf(() => prepareComponent(schema, undefined)),
      [
        "schema: resources.t:index:C.inputProperties.a.$ref: $ref '#/types/toString' names a type that is not in the schema's types",
      ],
    );
  });

  it("refuses output names and tokens that would read as Pulumi YAML syntax", () => {
    const outputs: PackageSchema = {
      name: "t",
      resources: {
        "t:index:C": { isComponent: true, properties: { "x}${adminPassword": { type: "string" } } },
      },
    };
    assert.match(
      problemsOf(() => prepareComponent(outputs, undefined))[0] as string,
      /an output's name must be letters/,
    );
    assert.match(
      problemsOf(() => parsePackageSchema('{"name": "t${x}"}', "s.json"))[0] as string,
      /^s\.json: name: must be a package name/,
    );
    assert.match(
      problemsOf(() => parsePackageSchema('{"name": "t", "version": "1.0.0${x}"}', "s.json"))[0] as string,
      /^s\.json: version: must be a version/,
    );
    const token: PackageSchema = { name: "t", resources: { "t:index:${x}": { isComponent: true } } };
    assert.match(
      problemsOf(() => prepareComponent(token, undefined))[0] as string,
      /is not a Pulumi type token/,
    );
  });
});

describe("malformed schemas are bad input, not crashes", () => {
  const component = (resource: Record<string, unknown>, types?: Record<string, unknown>) =>
    JSON.stringify({
      name: "t",
      resources: { "t:index:C": { isComponent: true, ...resource } },
      ...(types && { types }),
    });
  const cases: [string, string, RegExp][] = [
    [
      "requiredInputs: 5",
      component({ requiredInputs: 5 }),
      /^schema: resources\.t:index:C\.requiredInputs: must be a list/,
    ],
    [
      "a null resource",
      JSON.stringify({ name: "t", resources: { "t:index:C": null } }),
      /^s\.json: resources\.t:index:C: must be an object/,
    ],
    [
      "an enum of [null]",
      component(
        { inputProperties: { e: { $ref: "#/types/t:index:E" } } },
        { "t:index:E": { type: "string", enum: [null] } },
      ),
      /^schema: types\.t:index:E\.enum: must be a non-empty list/,
    ],
    [
      "a type of null",
      component({ inputProperties: { a: { type: null } } }),
      /^schema: resources\.t:index:C\.inputProperties\.a\.type: must be a string/,
    ],
    [
      "a null type entry",
      JSON.stringify({ name: "t", resources: {}, types: { "t:index:T": null } }),
      /^s\.json: types\.t:index:T: must be an object/,
    ],
    [
      "a $ref with a malformed %-escape",
      component({ inputProperties: { a: { $ref: "#/types/%E0%A4%A" } } }),
      /^schema: .*\$ref: \$ref '#\/types\/%E0%A4%A' has a malformed %-escape/,
    ],
    [
      "a null property",
      component({ inputProperties: { a: null } }),
      /^schema: resources\.t:index:C\.inputProperties\.a: must be an object/,
    ],
    [
      "outputs that are a string",
      component({ properties: "abc" }),
      /^schema: resources\.t:index:C\.properties: must be an object/,
    ],
    [
      "items of null",
      component({ inputProperties: { a: { type: "array", items: 5 } } }),
      /inputProperties\.a\.items: must be an object/,
    ],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => {
      const messages = problemsOf(() => prepareComponent(parsePackageSchema(text, "s.json"), undefined));
      assert.equal(messages.length, 1, messages.join("\n"));
      assert.match(messages[0] as string, expected);
    });
  }
});

describe("bounds on what is read and written", () => {
  it("refuses a 10,000-deep alias chain with one message", () => {
    const lines = ["a0: &a0 [x]"];
    for (let i = 1; i < 10_000; i++) lines.push(`a${i}: &a${i} [*a${i - 1}]`);
    assert.throws(
      () => parseYaml(`${lines.join("\n")}\n`),
      (error: unknown) => {
        assert.ok(error instanceof YamlLimitError);
        assert.match(error.message, new RegExp(`is nested more than ${MAX_DEPTH} levels deep`));
        return true;
      },
    );
  });

  it("refuses a spec nested too deeply that comes from code (the job API, ProgramStack)", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const [message] = problemsOf(() => buildProgram(open, databaseRequest({ extra: deep })));
    assert.match(message as string, /^spec\.extra(\[0\])+: is nested more than 64 levels deep$/);
  });

  it("refuses alias amplification: a small request that expands beyond the bound", () => {
    const lines = ['a0: &a0 ["lololololololololololololololol"]'];
    for (let i = 1; i < 12; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(", ")}]`,
      );
    const text = `${lines.join("\n")}\n`;
    assert.ok(text.length < 1500);
    assert.throws(
      () => parseYaml(text, { maxBytes: 1024 * 1024, maxDepth: 64 }),
      /the document expands to about \d+ bytes of JSON, more than the 1048576 allowed/,
    );
  });

  it("refuses .inf and .nan, which JSON cannot carry", () => {
    assert.throws(
      () => parseYaml("spec: {extra: [1, .inf]}"),
      /^YamlLimitError: spec\.extra\[1\] is \.inf, which JSON/,
    );
    assert.match(
      problemsOf(() => buildProgram(open, databaseRequest({ extra: Number.NaN })))[0] as string,
      /^spec\.extra: is \.nan/,
    );
  });

  it("never builds a manifest whose JSON is larger than the bound", () => {
    const big = databaseRequest(
      { extra: "x".repeat(1_000_000) },
      { name: "x", annotations: { note: "y".repeat(200_000) } },
    );
    const [message] = problemsOf(() => buildProgram(open, big));
    assert.match(
      message as string,
      new RegExp(`^spec: the Program would take \\d+ bytes, more than the ${MAX_MANIFEST_BYTES} allowed`),
    );
  });

  it("never writes a manifest whose YAML is larger than the bound", () => {
    // Within the bound as JSON, but deep enough that YAML's indentation makes it larger.
    let nested: unknown = "v";
    for (let i = 0; i < 60; i++) nested = { k: nested };
    const program = buildProgram(
      open,
      databaseRequest({ extra: Array.from({ length: 2000 }, () => nested) }),
    );
    const [message] = problemsOf(() => manifestYaml(program));
    assert.match(
      message as string,
      new RegExp(`^spec: the Program would take \\d+ bytes, more than the ${MAX_MANIFEST_BYTES} allowed`),
    );
  });
});

describe("YAML that Kubernetes reads the same", () => {
  const tricky = [
    "1_000",
    "0_7",
    "+1_0",
    "1_",
    "<<",
    "y",
    "N",
    "on",
    "OFF",
    "~",
    "Null",
    "1:20",
    "190:20:30",
    "2001-12-14",
    ".inf",
    "-.Inf",
    ".NaN",
    "0b101",
    "0x_1",
    "0o17",
    "017",
    "1e3",
    "._",
    ".",
    "685_230.15",
    "=",
    "0x1p-2",
    "E0",
    "-e5",
    "1.",
    "-",
  ];

  it("quotes every string a YAML 1.1 reader would take for another type, keys included", () => {
    const value = { values: tricky, keys: Object.fromEntries(tricky.map((t, i) => [t, i])) };
    assert.deepEqual(parseYaml11(toYaml(value), { version: "1.1" }), value);
    assert.deepEqual(parseYaml(toYaml(value)), value);
  });

  it("writes a `<<` key from a request as a plain key", () => {
    const program = buildProgram(open, databaseRequest({ extra: { "<<": { a: 1 }, b: "1_000" } }));
    assert.deepEqual(parseYaml11(toYaml(program), { version: "1.1" }), program);
  });
});

describe("request metadata Kubernetes would refuse", () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      "a namespace over 63 characters",
      { name: "x", namespace: "n".repeat(64) },
      /^metadata\.namespace: must be a DNS-1123 label: at most 63/,
    ],
    [
      "an invalid label key",
      { name: "x", labels: { "-bad": "v" } },
      /^metadata\.labels\.-bad: the key's name must be/,
    ],
    [
      "a label key with a bad prefix",
      { name: "x", labels: { "Acme.io/a": "v" } },
      /^metadata\.labels\.Acme\.io\/a: the key's prefix/,
    ],
    [
      "a label value over 63 characters",
      { name: "x", labels: { a: "v".repeat(64) } },
      /^metadata\.labels\.a: a label value must be/,
    ],
    [
      "an invalid annotation key",
      { name: "x", annotations: { "a b": "v" } },
      /^metadata\.annotations\.a b: the key's name must be/,
    ],
    [
      "annotations over 256 KiB",
      { name: "x", annotations: { a: "v".repeat(256 * 1024) } },
      /^metadata\.annotations: take 262145 bytes together, more than the 262144/,
    ],
  ];
  for (const [name, metadata, expected] of cases) {
    it(`refuses ${name}`, () => {
      const messages = problemsOf(() => databaseRequest({}, metadata));
      assert.equal(messages.length, 1, messages.join("\n"));
      assert.match(messages[0] as string, expected);
    });
  }
});

describe("backends and stack names", () => {
  it("refuses credentials in a backend URL without echoing them", () => {
    for (const backend of [
      "postgres://u:hunter2canary@db/state",
      "s3://hunter2canary@bucket",
      "postgres://db/state?password=hunter2canary",
    ]) {
      const problem = backendProblem(backend) as string;
      assert.match(problem, /^must not carry credentials .*Secret/);
      assert.ok(!problem.includes("hunter2canary"));
    }
    const malformed = backendProblem("postgres://u:hunter2canary@db:port/x") as string;
    assert.match(malformed, /^expected a backend URL/);
    assert.ok(!malformed.includes("hunter2canary"));
  });

  it("accepts only 'organization' as the org of a DIY backend", () => {
    for (const backend of [
      "file:///state",
      "s3://b",
      "S3://b",
      "azblob://c",
      "gs://b",
      "postgres://db/state",
    ]) {
      assert.equal(stackNameProblem("organization/dev", { backend }), undefined);
      assert.equal(stackNameProblem("dev", { backend }), undefined);
      assert.equal(
        stackNameProblem("acme/dev", { backend }),
        `a DIY backend (${backend.split(":")[0]?.toLowerCase()}://) has no organization but 'organization': use 'organization/dev' or just 'dev'`,
      );
    }
    assert.equal(stackNameProblem("acme/dev", { backend: "https://api.pulumi.com" }), undefined);
  });

  it("accepts a project only when it is the Program's name", () => {
    assert.equal(stackNameProblem("acme/orders-1234abcd/dev", { project: "orders-1234abcd" }), undefined);
    assert.equal(
      stackNameProblem("acme/db/dev", { backend: "https://api.pulumi.com", project: "orders-1234abcd" }),
      "the program runs as project 'orders-1234abcd' (PKO names the project after the Program), so a stack of project 'db' could never be selected: use 'acme/orders-1234abcd/dev' or just 'dev'",
    );
    assert.equal(
      stackNameProblem("acme/db/dev", { backend: "s3://b", project: "orders-1234abcd" }),
      "a DIY backend (s3://) has no organization but 'organization'; and the program runs as project 'orders-1234abcd' (PKO names the project after the Program), so a stack of project 'db' could never be selected: use 'organization/orders-1234abcd/dev' or just 'dev'",
    );
  });

  it("names stacks in full where required, with the same syntax", () => {
    assert.match(
      stackNameProblem("dev", { fullyQualified: true }) as string,
      /^expected 'org\/project\/stack'/,
    );
    assert.match(
      stackNameProblem("-a/b/c", { fullyQualified: true }) as string,
      /^expected 'org\/project\/stack'/,
    );
    assert.equal(
      stackNameProblem("acme/web/dev", { fullyQualified: true, backend: "file:///x" }),
      "a DIY backend (file://) has no organization but 'organization': use 'organization/web/dev'",
    );
  });

  it("is the job service configuration's rule too (issue 13: it accepted s3:// and -a/b/c)", () => {
    const stack = (name: string, backend?: string) =>
      problemsOf(() =>
        parseServiceConfig(
          {
            workloads: { web: { project: "./web" } },
            stacks: {
              [name]: { workload: "web", passphrase: { fromEnv: "P" }, ...(backend && { backend }) },
            },
          },
          "/srv",
          {},
        ),
      );
    assert.deepEqual(stack("-a/b/c", "s3://"), [
      `stacks.-a/b/c: expected 'org/project/stack', each part letters, digits, '-', '_' or '.', got "-a/b/c"`,
      "stacks.-a/b/c.backend: a s3:// backend URL needs a host or bucket",
    ]);
    assert.deepEqual(stack("acme/web/dev"), [
      "stacks.acme/web/dev: a DIY backend (file://) has no organization but 'organization': use 'organization/web/dev'",
    ]);
    const [credentials] = stack("organization/web/dev", "postgres://u:hunter2canary@db/state");
    assert.match(
      credentials as string,
      /^stacks\.organization\/web\/dev\.backend: must not carry credentials/,
    );
    assert.ok(!(credentials as string).includes("hunter2canary"));
  });

  it("checks the stack against the request's Program in buildStack, naming the caller's fields", () => {
    const req = databaseRequest({ engine: "postgres", size: 1 });
    const program = buildProgram(database, req).metadata.name;
    assert.equal(
      buildStack(database, req, { backend: "s3://b", stackName: `organization/${program}/dev` }).spec.stack,
      `organization/${program}/dev`,
    );
    assert.deepEqual(
      problemsOf(() =>
        checkStackOptions({ backend: "s3://b", stackName: "acme/db/dev" }, program, {
          backend: "B",
          stackName: "S",
        }),
      ).map((m) => m.split(":")[0]),
      ["S"],
    );
    assert.match(
      problemsOf(() =>
        buildStack(database, req, { backend: "https://api.pulumi.com", stackName: "acme/db/dev" }),
      )[0] as string,
      new RegExp(`^stackName: the program runs as project '${program}'`),
    );
  });
});
