import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readConstraint } from "../../src/catalog/constraints";
import { readParameterSchema } from "../../src/catalog/parameter-schema";

const { schema } = readParameterSchema({
  type: "object",
  properties: {
    replicas: { type: "integer", minimum: 1, maximum: 10, default: 2 },
    size: { type: "string", enum: ["small", "medium", "large"], default: "small" },
    name: { type: "string", pattern: "^[a-z]" },
  },
});
if (schema === undefined) throw new Error("fixture schema is invalid");

describe("constraints", () => {
  it("reads per-parameter limits, maxInstances and allowed", () => {
    const { constraint, problems } = readConstraint(
      {
        allowed: true,
        maxInstances: 3,
        parameters: {
          replicas: { maximum: 4 },
          size: { allowedValues: ["small"] },
          name: { pattern: "-dev$" },
        },
      },
      schema,
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(constraint, {
      allowed: true,
      maxInstances: 3,
      parameters: {
        replicas: { maximum: 4 },
        size: { allowedValues: ["small"] },
        name: { pattern: "-dev$" },
      },
    });
    assert.deepEqual(readConstraint({}, schema).constraint, { allowed: true, parameters: {} });
  });

  it("names every problem at once", () => {
    const { problems } = readConstraint(
      {
        allowed: "yes",
        maxInstances: -1,
        owner: "x",
        parameters: {
          replicas: { minimum: 5, maximum: 3, pattern: "x" },
          size: { minimum: 1, allowedValues: [] },
          name: { pattern: "(?=x)" },
          unknown: { maximum: 1 },
        },
      },
      schema,
    );
    assert.deepEqual(
      problems.map((p) => p.at),
      [
        "constraint.owner",
        "constraint.allowed",
        "constraint.maxInstances",
        "constraint.parameters.replicas.minimum",
        "constraint.parameters.replicas.pattern",
        "constraint.parameters.size.minimum",
        "constraint.parameters.size.allowedValues",
        "constraint.parameters.name.pattern",
        "constraint.parameters.unknown",
      ],
    );
  });
});
