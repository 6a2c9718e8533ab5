import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import Ajv from "ajv";
import type { JsonSchema } from "../../src/core/input-schema";
import { prepareComponent } from "../../src/core/manifests";
import { parsePackageSchema } from "../../src/core/package-schema";
import { fixture, SAMPLE_COMPONENT_SCHEMA } from "../support/paths";
import { parse } from "../support/yaml";

/** The same schema for Ajv, with objects that declare properties closed to others. */
function closed(schema: JsonSchema): object {
  const out: Record<string, unknown> = { ...schema };
  if (schema.properties !== undefined) {
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, closed(v)]));
    if (!schema["x-kubernetes-preserve-unknown-fields"]) out.additionalProperties = false;
  }
  if (schema.items !== undefined) out.items = closed(schema.items);
  if (schema.additionalProperties !== undefined)
    out.additionalProperties = closed(schema.additionalProperties);
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addKeyword({ keyword: "x-kubernetes-preserve-unknown-fields" });

const sample = prepareComponent(
  parsePackageSchema(readFileSync(SAMPLE_COMPONENT_SCHEMA, "utf8"), "sample"),
  "sample:index:Database",
);

/** Specs that probe each rule of the validator, valid and not. */
const probes: unknown[] = [
  { engine: "postgres", size: 1 },
  { engine: "postgres", size: 1.5 },
  { engine: "postgres", size: "1" },
  { engine: "db2", size: 1 },
  { engine: "mysql" },
  { engine: "mysql", size: 1, replicas: [] },
  { engine: "mysql", size: 1, replicas: [{ region: "eu" }, { size: 3 }] },
  { engine: "mysql", size: 1, replicas: {} },
  { engine: "mysql", size: 1, tags: { a: "b" } },
  { engine: "mysql", size: 1, tags: { a: 1 } },
  { engine: "mysql", size: 1, settings: { backup: { enabled: true, retentionDays: 7 } } },
  { engine: "mysql", size: 1, settings: { backup: { enabled: "yes" } } },
  { engine: "mysql", size: 1, settings: { unknown: true } },
  { engine: "mysql", size: 1, colour: "red" },
  { engine: null, size: 1 },
  [],
  "spec",
];

describe("spec validator agrees with Ajv", () => {
  const validate = ajv.compile(closed(sample.inputs.spec));
  probes.forEach((spec, i) => {
    it(`probe ${i}: ${JSON.stringify(spec)}`, () => {
      assert.equal(sample.validateSpec(spec).length === 0, validate(spec) as boolean);
    });
  });

  it("on every corpus request", () => {
    const dir = fixture("corpus");
    for (const name of readdirSync(dir)) {
      const schemaFile = ["schema.json", "schema.yaml"]
        .map((f) => join(dir, name, f))
        .find((f) => existsSync(f));
      const tokenFile = join(dir, name, "component-token");
      const prepared = prepareComponent(
        parsePackageSchema(readFileSync(schemaFile ?? SAMPLE_COMPONENT_SCHEMA, "utf8"), name),
        existsSync(tokenFile) ? readFileSync(tokenFile, "utf8").trim() : undefined,
      );
      const spec = parse(readFileSync(join(dir, name, "request.yaml"), "utf8")).spec;
      assert.equal(
        prepared.validateSpec(spec).length === 0,
        ajv.compile(closed(prepared.inputs.spec))(spec),
        name,
      );
    }
  });
});
