import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { deriveComponentInputs } from "../../src/core/input-schema";
import { buildProgram, buildStack, prepareComponent } from "../../src/core/manifests";
import { baseName, isDns1123Label, objectNames } from "../../src/core/naming";
import { componentTokens, type PackageSchema, parsePackageSchema } from "../../src/core/package-schema";
import { parseResourceRequest } from "../../src/core/request";
import { databaseRequest, problemsOf } from "../support/core-fixtures";
import { SAMPLE_COMPONENT_SCHEMA } from "../support/paths";

const sample = parsePackageSchema(readFileSync(SAMPLE_COMPONENT_SCHEMA, "utf8"), "sample-schema.json");
const database = prepareComponent(sample, "sample:index:Database");
const stackOptions = { backend: "https://api.pulumi.com", stackName: "acme/dev" };

function schemaWith(resources: PackageSchema["resources"], types?: PackageSchema["types"]): PackageSchema {
  return { name: "t", version: "1.0.0", resources, ...(types && { types }) };
}

describe("package schema", () => {
  it("reads JSON and YAML alike", () => {
    const yaml = parsePackageSchema("name: y\nresources:\n  y:index:C: {isComponent: true}\n", "s.yaml");
    assert.deepEqual(componentTokens(yaml), ["y:index:C"]);
  });

  it("rejects malformed text and a schema without a name", () => {
    assert.match(
      problemsOf(() => parsePackageSchema("{ not json", "s.json"))[0] as string,
      /^s\.json: is not valid JSON or YAML/,
    );
    assert.match(
      problemsOf(() => parsePackageSchema("resources: {}", "s.json"))[0] as string,
      /needs a non-empty string 'name'/,
    );
  });

  it("requires a token when there are several components, and names them", () => {
    const [message] = problemsOf(() => prepareComponent(sample, undefined));
    assert.equal(
      message,
      "PULUMI_COMPONENT_TOKEN: package 'sample' has 2 components; set PULUMI_COMPONENT_TOKEN to one of: sample:index:Database, sample:index:Queue",
    );
  });

  it("rejects an unknown token and a schema without components", () => {
    assert.match(
      problemsOf(() => prepareComponent(sample, "sample:index:Nope"))[0] as string,
      /not a component of package 'sample'/,
    );
    assert.match(
      problemsOf(() => prepareComponent(schemaWith({ "t:index:R": {} }), undefined))[0] as string,
      /has no component resource/,
    );
  });
});

describe("input schema derivation", () => {
  const inputs = deriveComponentInputs(database.component);

  it("maps types, enums, arrays of objects, maps, nested refs, descriptions and defaults", () => {
    const props = inputs.spec.properties ?? {};
    assert.deepEqual(props.engine, {
      type: "string",
      enum: ["postgres", "mysql"],
      description: "Database engine.",
    });
    assert.deepEqual(props.size, { type: "integer", description: "Storage size in GiB." });
    assert.deepEqual(props.replicas?.items, {
      type: "object",
      properties: { region: { type: "string" }, size: { type: "integer" } },
      required: ["region"],
    });
    assert.deepEqual(props.tags, { type: "object", additionalProperties: { type: "string" } });
    assert.deepEqual(props.settings?.properties?.maintenanceWindow, { type: "string", default: "sun:03:00" });
    assert.equal(props.settings?.properties?.backup?.properties?.retentionDays?.type, "integer");
  });

  it("keeps secret inputs out of the request schema and its required list", () => {
    assert.equal(inputs.spec.properties?.password, undefined);
    assert.deepEqual(inputs.spec.required, ["engine", "size"]);
    assert.deepEqual(inputs.secretInputs, [
      {
        path: ["password"],
        configKey: "password",
        configType: "String",
        description: "Administrator password.",
      },
    ]);
  });

  it("accepts other packages' types and Pulumi built-ins as any value", () => {
    const prepared = prepareComponent(
      schemaWith({
        "t:index:C": {
          isComponent: true,
          inputProperties: {
            b: { $ref: "/aws/v6.0.0/schema.json#/types/aws:x:Y" },
            a: { $ref: "pulumi.json#/Any" },
          },
        },
      }),
      undefined,
    );
    assert.deepEqual(prepared.inputs.spec.properties?.b, { "x-kubernetes-preserve-unknown-fields": true });
    assert.deepEqual(prepared.validateSpec({ a: [1, { x: "y" }], b: "arn" }), []);
  });

  it("reports a cycle of types with the path through it", () => {
    const schema = schemaWith(
      { "t:index:C": { isComponent: true, inputProperties: { node: { $ref: "#/types/t:index:Node" } } } },
      { "t:index:Node": { type: "object", properties: { next: { $ref: "#/types/t:index:Node" } } } },
    );
    const [message] = problemsOf(() => prepareComponent(schema, undefined));
    assert.match(
      message as string,
      /^schema: node\.next: types refer to each other in a cycle \(t:index:Node -> t:index:Node\)/,
    );
  });

  it("rejects a missing local type and a secret that PKO configuration cannot carry", () => {
    const missing = schemaWith({
      "t:index:C": { isComponent: true, inputProperties: { x: { $ref: "#/types/t:index:Gone" } } },
    });
    assert.match(
      problemsOf(() => prepareComponent(missing, undefined))[0] as string,
      /names a type that is not in the schema/,
    );
    const boolSecret = schemaWith({
      "t:index:C": {
        isComponent: true,
        inputProperties: { flag: { type: "boolean", secret: true } },
        requiredInputs: ["flag"],
      },
    });
    assert.match(
      problemsOf(() => prepareComponent(boolSecret, undefined))[0] as string,
      /^schema: flag: a required secret input must be/,
    );
  });

  it("leaves out an optional secret input that PKO configuration cannot carry, and says so", () => {
    const prepared = prepareComponent(
      schemaWith({
        "t:index:C": {
          isComponent: true,
          inputProperties: {
            env: { type: "object", additionalProperties: { type: "string" }, secret: true },
            name: { type: "string" },
          },
        },
      }),
      undefined,
    );
    assert.deepEqual(prepared.inputs.omittedSecretInputs, ["env"]);
    assert.deepEqual(Object.keys(prepared.inputs.spec.properties ?? {}), ["name"]);
    assert.deepEqual(prepared.inputs.secretInputs, []);
  });
});

describe("spec validation", () => {
  it("gives path-precise messages, all at once", () => {
    const schema = schemaWith(
      {
        "t:index:C": {
          isComponent: true,
          inputProperties: { database: { $ref: "#/types/t:index:Db" } },
          requiredInputs: ["database"],
        },
      },
      {
        "t:index:Db": {
          type: "object",
          properties: { size: { type: "integer" }, name: { type: "string" } },
          required: ["name"],
        },
      },
    );
    const prepared = prepareComponent(schema, undefined);
    const messages = problemsOf(() =>
      buildProgram(prepared, databaseRequest({ database: { size: "ten", colour: "red" } })),
    );
    assert.deepEqual(messages.sort(), [
      "spec.database.colour: is not a field of spec.database; expected one of: name, size",
      "spec.database.name: is required",
      'spec.database.size: expected integer, got string "ten"',
    ]);
  });

  it("names array elements and enum values", () => {
    const messages = problemsOf(() =>
      buildProgram(
        database,
        databaseRequest({ engine: "oracle", size: 1, replicas: [{ region: "eu" }, { size: 2 }] }),
      ),
    );
    assert.deepEqual(messages.sort(), [
      'spec.engine: expected one of "postgres", "mysql", got string "oracle"',
      "spec.replicas[1].region: is required",
    ]);
  });

  it("refuses a secret input in the request without echoing its value", () => {
    const messages = problemsOf(() =>
      buildProgram(database, databaseRequest({ engine: "mysql", size: 1, password: "hunter2-canary" })),
    );
    assert.deepEqual(messages, [
      "spec.password: is a secret input and must not be in the request; put it in the stack's Secret under key 'password' instead",
    ]);
    assert.ok(!messages.join().includes("hunter2-canary"));
  });

  it("refuses Pulumi YAML built-in function keys from a request", () => {
    const messages = problemsOf(() =>
      buildProgram(
        database,
        databaseRequest({ engine: "mysql", size: 1, tags: { "fn::readFile": "/etc/passwd" } }),
      ),
    );
    assert.match(messages[0] as string, /^spec\.tags\.fn::readFile: keys starting with 'fn::'/);
  });

  it("rejects a request without metadata.name or spec", () => {
    assert.deepEqual(problemsOf(() => parseResourceRequest({ kind: "Database", metadata: {} })).sort(), [
      "metadata.name: is required: a non-empty string",
      "spec: is required: an object",
    ]);
  });
});

describe("Program and Stack", () => {
  const req = databaseRequest(
    { size: 10, engine: "postgres", tags: { note: "cost ${centre} in $" } },
    {
      name: "orders",
      namespace: "team-a",
      labels: { team: "a", "kratix.io/promise-name": "db", "resource.kratix.io/x": "y" },
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}", owner: "me" },
    },
  );
  const program = buildProgram(database, req);
  const stack = buildStack(database, req, stackOptions);

  it("wires secret inputs through configuration and secretsRef, never as values", () => {
    assert.deepEqual(program.program.configuration, { password: { type: "String" } });
    assert.equal(program.program.resources.database?.properties.password, "${password}");
    assert.deepEqual(stack.spec.secretsRef, {
      password: { type: "Secret", secret: { name: `${program.metadata.name}-secrets`, key: "password" } },
    });
  });

  it("escapes Pulumi YAML interpolation in request text", () => {
    assert.deepEqual(program.program.resources.database?.properties.tags, { note: "cost $${centre} in $$" });
  });

  it("passes labels and annotations through, except the platform's", () => {
    assert.deepEqual(program.metadata.labels, { team: "a" });
    assert.deepEqual(program.metadata.annotations, { owner: "me" });
    assert.deepEqual(stack.metadata, program.metadata);
  });

  it("declares the package, the component and its outputs", () => {
    assert.deepEqual(program.program.packages, { sample: "sample@0.1.0" });
    assert.equal(program.program.resources.database?.type, "sample:index:Database");
    assert.deepEqual(program.program.outputs, {
      endpoint: "${database.endpoint}",
      passwordLength: "${database.passwordLength}",
      replicaCount: "${database.replicaCount}",
    });
  });

  it("takes backend and stack only from the operator and invents nothing else", () => {
    assert.deepEqual(Object.keys(stack.spec).sort(), ["backend", "programRef", "secretsRef", "stack"]);
    assert.equal(stack.spec.backend, "https://api.pulumi.com");
    assert.equal(stack.spec.stack, "acme/dev");
    assert.match(
      problemsOf(() => buildStack(database, req, { ...stackOptions, backend: "ftp://x" }))[0] as string,
      /^backend: scheme 'ftp'/,
    );
    assert.match(
      problemsOf(() => buildStack(database, req, { ...stackOptions, stackName: "a/b/c/d" }))[0] as string,
      /^stackName:/,
    );
  });
});

describe("naming contract", () => {
  const inputs = {
    namespace: "team-a",
    kind: "Database",
    name: "orders",
    componentToken: "sample:index:Database",
  };

  // The golden value was computed independently from the contract text (Python hashlib).
  it("is stable across releases (golden value)", () => {
    assert.equal(baseName(inputs), "orders-48852aad");
  });

  it("stays within 42 characters and DNS-1123 for long, unicode and empty-slug names", () => {
    for (const name of ["x".repeat(200), "ÜBER-größe 😀 ".repeat(5), "😀😀", "---", "9lives"]) {
      const base = baseName({ ...inputs, name });
      assert.ok(base.length <= 42 && isDns1123Label(base), base);
    }
    assert.match(baseName({ ...inputs, name: "😀" }), /^database-[0-9a-f]{8}$/);
  });

  it("separates requests whose slugs coincide", () => {
    const a = baseName({ ...inputs, name: "Orders" });
    const b = baseName({ ...inputs, name: "orders" });
    const c = baseName({ ...inputs, namespace: "team-b" });
    const d = baseName({ ...inputs, componentToken: "sample:index:Queue" });
    assert.equal(new Set([a, b, c, d]).size, 4);
  });

  it("names the secret after the base", () => {
    assert.deepEqual(objectNames(inputs), {
      program: "orders-48852aad",
      stack: "orders-48852aad",
      secret: "orders-48852aad-secrets",
    });
  });
});
