import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { deriveComponentInputs } from "../../src/core/input-schema";
import { prepareComponent } from "../../src/core/manifests";
import { type PackageSchema, parsePackageSchema } from "../../src/core/package-schema";
import { problemsOf } from "../support/core-fixtures";
import { SAMPLE_COMPONENT_SCHEMA } from "../support/paths";

const sample = parsePackageSchema(readFileSync(SAMPLE_COMPONENT_SCHEMA, "utf8"), "sample-schema.json");
const database = prepareComponent(sample, "sample:index:Database");

function schemaWith(resources: PackageSchema["resources"], types?: PackageSchema["types"]): PackageSchema {
  return { name: "t", version: "1.0.0", resources, ...(types && { types }) };
}

describe("input schema derivation", () => {
  const inputs = deriveComponentInputs(database.component);

  it("maps types, enums, arrays of objects, maps, nested refs, descriptions and defaults", () => {
    const props = inputs.spec.properties ?? {};
    assert.deepEqual(props.engine, {
      type: "string",
      enum: ["postgres", "mysql"],
      description: "Database engine.",
    });
    assert.deepEqual(props.size, { type: "integer", description: "Storage size in GiB." });
    assert.deepEqual(props.replicas?.items, {
      type: "object",
      properties: { region: { type: "string" }, size: { type: "integer" } },
      required: ["region"],
    });
    assert.deepEqual(props.tags, { type: "object", additionalProperties: { type: "string" } });
    assert.deepEqual(props.settings?.properties?.maintenanceWindow, { type: "string", default: "sun:03:00" });
    assert.equal(props.settings?.properties?.backup?.properties?.retentionDays?.type, "integer");
  });

  it("keeps secret inputs out of the request schema and its required list", () => {
    assert.equal(inputs.spec.properties?.password, undefined);
    assert.deepEqual(inputs.spec.required, ["engine", "size"]);
    assert.deepEqual(inputs.secretInputs, [
      {
        path: ["password"],
        configKey: "password",
        configType: "String",
        description: "Administrator password.",
      },
    ]);
  });

  it("accepts other packages' types and Pulumi built-ins as any value", () => {
    const prepared = prepareComponent(
      schemaWith({
        "t:index:C": {
          isComponent: true,
          inputProperties: {
            b: { $ref: "/aws/v6.0.0/schema.json#/types/aws:x:Y" },
            a: { $ref: "pulumi.json#/Any" },
          },
        },
      }),
      undefined,
    );
    assert.deepEqual(prepared.inputs.spec.properties?.b, { "x-kubernetes-preserve-unknown-fields": true });
    assert.deepEqual(prepared.validateSpec({ a: [1, { x: "y" }], b: "arn" }), []);
  });

  it("reports a cycle of types with the path through it", () => {
    const schema = schemaWith(
      { "t:index:C": { isComponent: true, inputProperties: { node: { $ref: "#/types/t:index:Node" } } } },
      { "t:index:Node": { type: "object", properties: { next: { $ref: "#/types/t:index:Node" } } } },
    );
    const [message] = problemsOf(() => prepareComponent(schema, undefined));
    assert.match(
      message as string,
      /^schema: node\.next: types refer to each other in a cycle \(t:index:Node -> t:index:Node\)/,
    );
  });

  it("rejects a missing local type and a secret that PKO configuration cannot carry", () => {
    const missing = schemaWith({
      "t:index:C": { isComponent: true, inputProperties: { x: { $ref: "#/types/t:index:Gone" } } },
    });
    assert.match(
      problemsOf(() => prepareComponent(missing, undefined))[0] as string,
      /names a type that is not in the schema/,
    );
    const boolSecret = schemaWith({
      "t:index:C": {
        isComponent: true,
        inputProperties: { flag: { type: "boolean", secret: true } },
        requiredInputs: ["flag"],
      },
    });
    assert.match(
      problemsOf(() => prepareComponent(boolSecret, undefined))[0] as string,
      /^schema: flag: a required secret input must be/,
    );
  });

  it("leaves out an optional secret input that PKO configuration cannot carry, and says so", () => {
    const prepared = prepareComponent(
      schemaWith({
        "t:index:C": {
          isComponent: true,
          inputProperties: {
            env: { type: "object", additionalProperties: { type: "string" }, secret: true },
            name: { type: "string" },
          },
        },
      }),
      undefined,
    );
    assert.deepEqual(prepared.inputs.omittedSecretInputs, ["env"]);
    assert.deepEqual(Object.keys(prepared.inputs.spec.properties ?? {}), ["name"]);
    assert.deepEqual(prepared.inputs.secretInputs, []);
  });
});
