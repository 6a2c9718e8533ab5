import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { prepareComponent } from "../../src/core/manifests";
import { componentTokens, type PackageSchema, parsePackageSchema } from "../../src/core/package-schema";
import { problemsOf } from "../support/core-fixtures";
import { SAMPLE_COMPONENT_SCHEMA } from "../support/paths";

const sample = parsePackageSchema(readFileSync(SAMPLE_COMPONENT_SCHEMA, "utf8"), "sample-schema.json");

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
