import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { buildProgram, buildStack, prepareComponent } from "../../src/core/manifests";
import { parsePackageSchema } from "../../src/core/package-schema";
import { databaseRequest, problemsOf } from "../support/core-fixtures";
import { SAMPLE_COMPONENT_SCHEMA } from "../support/paths";

const sample = parsePackageSchema(readFileSync(SAMPLE_COMPONENT_SCHEMA, "utf8"), "sample-schema.json");
const database = prepareComponent(sample, "sample:index:Database");
const stackOptions = { backend: "https://api.pulumi.com", stackName: "acme/dev" };

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
