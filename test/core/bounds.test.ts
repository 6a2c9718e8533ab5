import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_DEPTH, MAX_MANIFEST_BYTES } from "../../src/core/bounds";
import { buildProgram, manifestYaml, prepareComponent } from "../../src/core/manifests";
import { parseYaml, YamlLimitError } from "../../src/core/yaml";
import { databaseRequest, OPEN_COMPONENT_SCHEMA, problemsOf } from "../support/core-fixtures";

/** A component whose `extra` input takes any value, as `spec.extra` did in the issue's reports. */
const open = prepareComponent(OPEN_COMPONENT_SCHEMA, undefined);

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
