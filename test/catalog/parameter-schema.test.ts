import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readParameterSchema } from "../../src/catalog/parameter-schema";

describe("template parameter schema", () => {
  it("reads a schema of named, typed parameters", () => {
    const { schema, problems } = readParameterSchema({
      type: "object",
      properties: {
        replicas: { type: "integer", minimum: 1, maximum: 10, default: 2 },
        region: { type: "string", enum: ["eu-west-1", "us-east-1"], default: "eu-west-1" },
        dbPassword: { type: "string", writeOnly: true, minLength: 12 },
      },
      required: ["dbPassword"],
    });
    assert.deepEqual(problems, []);
    assert.equal(schema?.additionalProperties, false);
    assert.deepEqual(schema?.required, ["dbPassword"]);
  });

  it("names every problem at once", () => {
    const { schema, problems } = readParameterSchema({
      type: "array",
      $ref: "#/x",
      additionalProperties: true,
      properties: {
        "bad name": { type: "string" },
        size: { type: "bigint" },
        secret: { type: "string", writeOnly: true, default: "hunter2-hunter2" },
        code: { type: "string", pattern: "(a)\\1" },
        extra: { type: "string", oneOf: [] },
      },
      required: ["size", "missing"],
    });
    assert.equal(schema, undefined);
    assert.deepEqual(
      problems.map((p) => p.at),
      [
        "parameters.type",
        "parameters.$ref",
        "parameters.additionalProperties",
        "parameters.properties.bad name",
        "parameters.properties.size.type",
        "parameters.properties.secret.default",
        "parameters.properties.code.pattern",
        "parameters.properties.extra.oneOf",
        "parameters.required[1]",
      ],
    );
    assert.ok(
      problems.every((p) => !p.message.includes("hunter2")),
      "a secret default is never quoted",
    );
    assert.match(problems.find((p) => p.at.endsWith("code.pattern"))?.message ?? "", /RE2 syntax/);
  });
});
