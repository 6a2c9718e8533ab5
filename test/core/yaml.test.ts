import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse as parseYaml11 } from "yaml";
import { buildProgram, prepareComponent } from "../../src/core/manifests";
import { parseYaml, toYaml } from "../../src/core/yaml";
import { databaseRequest, OPEN_COMPONENT_SCHEMA } from "../support/core-fixtures";

/** A component whose `extra` input takes any value, as `spec.extra` did in the reports. */
const open = prepareComponent(OPEN_COMPONENT_SCHEMA, undefined);

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
