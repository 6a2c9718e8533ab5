import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { buildProgram, prepareComponent } from "../../src/core/manifests";
import { type PackageSchema, parsePackageSchema } from "../../src/core/package-schema";
import { parseResourceRequest } from "../../src/core/request";
import { databaseRequest, problemsOf } from "../support/core-fixtures";
import { SAMPLE_COMPONENT_SCHEMA } from "../support/paths";

const sample = parsePackageSchema(readFileSync(SAMPLE_COMPONENT_SCHEMA, "utf8"), "sample-schema.json");
const database = prepareComponent(sample, "sample:index:Database");

function schemaWith(resources: PackageSchema["resources"], types?: PackageSchema["types"]): PackageSchema {
  return { name: "t", version: "1.0.0", resources, ...(types && { types }) };
}

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
