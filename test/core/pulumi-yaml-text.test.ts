import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { buildProgram, prepareComponent } from "../../src/core/manifests";
import { type PackageSchema, parsePackageSchema } from "../../src/core/package-schema";
import { databaseRequest, OPEN_COMPONENT_SCHEMA, problemsOf } from "../support/core-fixtures";
import { SAMPLE_COMPONENT_SCHEMA } from "../support/paths";

const sample = parsePackageSchema(readFileSync(SAMPLE_COMPONENT_SCHEMA, "utf8"), "sample-schema.json");
const database = prepareComponent(sample, "sample:index:Database");
/** A component whose `extra` input takes any value, as `spec.extra` did in the issue's reports. */
const open = prepareComponent(OPEN_COMPONENT_SCHEMA, undefined);

describe("injection into the Program's Pulumi YAML", () => {
  for (const key of ["Fn::ReadFile", "FN::INVOKE", "fN::unsecret", "Fn::fileAsset", "fn::secret"]) {
    it(`refuses the built-in function key ${key} in any case`, () => {
      const messages = problemsOf(() =>
        buildProgram(open, databaseRequest({ extra: { [key]: "/etc/hostname" } })),
      );
      assert.deepEqual(messages, [
        `spec.extra.${key}: keys starting with 'fn::' (in any case) are Pulumi YAML built-in functions and cannot appear in a request`,
      ]);
    });
  }

  it("escapes interpolation in keys as in values", () => {
    const program = buildProgram(
      open,
      databaseRequest({ tags: { "${adminPassword}": "x" }, extra: { a: { k$: "$" } } }),
    );
    const properties = program.program.resources.c?.properties;
    assert.deepEqual(properties?.tags, { "$${adminPassword}": "x" });
    assert.deepEqual(properties?.extra, { a: { k$$: "$$" } });
    assert.equal(properties?.adminPassword, "${adminPassword}", "the one interpolation is Stackwright's own");
  });

  for (const name of ["constructor", "toString", "hasOwnProperty", "valueOf", "__proto__"]) {
    it(`refuses the inherited name ${name} as an unknown field at every level`, () => {
      const spec = JSON.parse(
        `{"engine": "postgres", "size": 1, "${name}": 1, "settings": {"${name}": {}}, "replicas": [{"region": "eu", "${name}": "x"}]}`,
      );
      const messages = problemsOf(() => buildProgram(database, databaseRequest(spec)));
      assert.deepEqual(
        messages.sort(),
        [
          `spec.${name}: is not a field of spec; expected one of: engine, replicas, settings, size, tags`,
          `spec.replicas[0].${name}: is not a field of spec.replicas[0]; expected one of: region, size`,
          `spec.settings.${name}: is not a field of spec.settings; expected one of: backup, maintenanceWindow`,
        ].sort(),
      );
    });
  }

  it("does not take an inherited name for a present required field", () => {
    const schema: PackageSchema = {
      name: "t",
      resources: {
        "t:index:C": {
          isComponent: true,
          inputProperties: { constructor: { type: "string" } },
          requiredInputs: ["constructor"],
        },
      },
    };
    assert.deepEqual(
      problemsOf(() => buildProgram(prepareComponent(schema, undefined), databaseRequest({}))),
      ["spec.constructor: is required"],
    );
  });

  it("does not find a type through an inherited name", () => {
    const schema: PackageSchema = {
      name: "t",
      resources: { "t:index:C": { isComponent: true, inputProperties: { a: { $ref: "#/types/toString" } } } },
      types: { "t:index:T": { type: "object" } },
    };
    assert.deepEqual(
      problemsOf(() => prepareComponent(schema, undefined)),
      [
        "schema: resources.t:index:C.inputProperties.a.$ref: $ref '#/types/toString' names a type that is not in the schema's types",
      ],
    );
  });

  it("refuses output names and tokens that would read as Pulumi YAML syntax", () => {
    const outputs: PackageSchema = {
      name: "t",
      resources: {
        "t:index:C": { isComponent: true, properties: { "x}${adminPassword": { type: "string" } } },
      },
    };
    assert.match(
      problemsOf(() => prepareComponent(outputs, undefined))[0] as string,
      /an output's name must be letters/,
    );
    assert.match(
      problemsOf(() => parsePackageSchema('{"name": "t${x}"}', "s.json"))[0] as string,
      /^s\.json: name: must be a package name/,
    );
    assert.match(
      problemsOf(() => parsePackageSchema('{"name": "t", "version": "1.0.0${x}"}', "s.json"))[0] as string,
      /^s\.json: version: must be a version/,
    );
    const token: PackageSchema = { name: "t", resources: { "t:index:${x}": { isComponent: true } } };
    assert.match(
      problemsOf(() => prepareComponent(token, undefined))[0] as string,
      /is not a Pulumi type token/,
    );
  });
});
