import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readParameterSchema } from "../../src/catalog/parameter-schema";
import { compileParameterValidator } from "../../src/catalog/parameter-validator";

function validatorFor(properties: Record<string, unknown>, required?: string[]) {
  const { schema, problems } = readParameterSchema({
    type: "object",
    properties,
    ...(required && { required }),
  });
  assert.deepEqual(problems, []);
  if (schema === undefined) throw new Error("unreachable");
  return compileParameterValidator(schema);
}

describe("parameter validation", () => {
  it("fills defaults into a copy, leaving the caller's object as sent", () => {
    const validate = validatorFor({
      replicas: { type: "integer", default: 2 },
      tags: { type: "array", items: { type: "string" } },
    });
    const sent = { tags: ["a"] };
    const { values, problems } = validate(sent);
    assert.deepEqual(problems, []);
    assert.deepEqual(values, { replicas: 2, tags: ["a"] });
    assert.deepEqual(sent, { tags: ["a"] });
  });

  it("names nested paths as written and reports missing and mistyped parameters together", () => {
    const validate = validatorFor(
      {
        tags: { type: "array", items: { type: "string" } },
        dbPassword: { type: "string", writeOnly: true, minLength: 12 },
      },
      ["dbPassword"],
    );
    assert.deepEqual(
      validate({ tags: ["ok", 3] }).problems.map((p) => `${p.at}: ${p.message}`),
      ["parameters.dbPassword: is required", "parameters.tags[1]: expected string"],
    );
    const short = validate({ dbPassword: "hunter2" }).problems;
    assert.deepEqual(
      short.map((p) => p.at),
      ["parameters.dbPassword"],
    );
    assert.ok(!short[0]?.message.includes("hunter2"), "a secret's value is never quoted");
    assert.deepEqual(validate([1]).problems, [
      { at: "parameters", message: "expected an object of parameters" },
    ]);
  });

  it("matches patterns in linear time: a pattern that backtracks exponentially elsewhere answers at once", () => {
    const validate = validatorFor({ name: { type: "string", pattern: "^(a+)+$" } });
    const started = process.hrtime.bigint();
    const { problems } = validate({ name: `${"a".repeat(40)}!` });
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(problems.length, 1);
    // A backtracking engine needs about 2^40 steps here (hours); RE2 needs microseconds.
    assert.ok(elapsedMs < 1000, `took ${elapsedMs} ms`);
  });
});
