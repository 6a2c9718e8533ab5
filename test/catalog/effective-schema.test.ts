import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readConstraint, UNCONSTRAINED } from "../../src/catalog/constraints";
import { effectiveParameterSchema } from "../../src/catalog/effective-schema";
import { readParameterSchema } from "../../src/catalog/parameter-schema";
import { compileParameterValidator } from "../../src/catalog/parameter-validator";

const { schema: template } = readParameterSchema({
  type: "object",
  properties: {
    replicas: { type: "integer", minimum: 1, maximum: 10, default: 2 },
    size: { type: "string", enum: ["small", "medium", "large"], default: "small" },
    name: { type: "string", pattern: "^[a-z]" },
    region: { type: "string", default: "eu-west-1" },
  },
  required: ["name"],
});
if (template === undefined) throw new Error("fixture schema is invalid");

function constrained(value: unknown) {
  if (template === undefined) throw new Error("unreachable");
  const { constraint, problems } = readConstraint(value, template);
  assert.deepEqual(problems, []);
  return effectiveParameterSchema(template, constraint ?? UNCONSTRAINED);
}

describe("a tenant's effective parameter schema", () => {
  it("is the template's own without a constraint", () => {
    assert.deepEqual(effectiveParameterSchema(template, UNCONSTRAINED), template);
  });

  it("narrows bounds, intersects allowed values, and adds a pattern beside the template's", () => {
    const schema = constrained({
      parameters: {
        replicas: { minimum: 0, maximum: 4 },
        size: { allowedValues: ["medium", "huge", "small"] },
        name: { pattern: "-dev$" },
        region: { pattern: "^eu-" },
      },
    });
    assert.equal(schema.properties.replicas?.minimum, 1, "never wider than the template");
    assert.equal(schema.properties.replicas?.maximum, 4);
    assert.deepEqual(schema.properties.size?.enum, ["medium", "small"]);
    assert.equal(schema.properties.name?.pattern, "^[a-z]");
    assert.deepEqual(schema.properties.name?.allOf, [{ pattern: "-dev$" }]);
    assert.equal(schema.properties.region?.pattern, "^eu-");
    assert.equal(schema.properties.region?.default, "eu-west-1", "a default within the limits stays");
  });

  it("drops a default the constraint rules out and makes the parameter required", () => {
    const schema = constrained({
      parameters: { replicas: { minimum: 3 }, size: { allowedValues: ["large"] } },
    });
    assert.equal(schema.properties.replicas?.default, undefined);
    assert.equal(schema.properties.size?.default, undefined);
    assert.deepEqual([...(schema.required ?? [])].sort(), ["name", "replicas", "size"]);
  });

  it("is what the server validates against: every offending parameter named by path", () => {
    const validate = compileParameterValidator(
      constrained({
        parameters: {
          replicas: { maximum: 4 },
          size: { allowedValues: ["small"] },
          name: { pattern: "-dev$" },
        },
      }),
    );
    const { problems } = validate({ replicas: 8, size: "large", name: "orders-prod", colour: "red" });
    assert.deepEqual(
      problems.map((p) => `${p.at}: ${p.message}`),
      [
        "parameters.colour: is not a parameter of this template; expected one of: replicas, size, name, region",
        "parameters.replicas: must be <= 4",
        'parameters.size: must be one of "small"',
        "parameters.name: must match the pattern -dev$",
      ],
    );
    const ok = validate({ name: "orders-dev" });
    assert.deepEqual(ok.problems, []);
    assert.deepEqual(ok.values, { name: "orders-dev", replicas: 2, size: "small", region: "eu-west-1" });
  });
});
