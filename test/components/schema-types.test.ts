import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { formatTypeScript } from "../../scripts/gen-format";
import { schemaTypes } from "../../scripts/gen-schema-types";
import { GENERATED_FILES, generatedText } from "../../scripts/gen-types";
import { REPO_ROOT } from "../support/paths";

const PATH = "src/components/schema-types.ts";

describe("src/components/schema-types.ts", () => {
  it("is exactly what schema.json generates (regenerate with npm run gen:types)", async () => {
    const file = GENERATED_FILES.find((f) => f.path === PATH);
    assert.ok(file, `${PATH} is not among the generated files`);
    const committed = readFileSync(join(REPO_ROOT, PATH), "utf8");
    assert.ok(
      committed === (await generatedText(file, REPO_ROOT)),
      `${PATH} is stale: run npm run gen:types`,
    );
  });
});

/** A component with one property of each kind the generator types. */
const thing = {
  isComponent: true,
  description: "A thing.",
  inputProperties: {
    size: { type: "integer", description: "How big." },
    name: { type: "string", description: "Its name.", default: "thing" },
    tags: { type: "array", items: { type: "string" } },
    labels: { type: "object", additionalProperties: { type: "string" } },
    settings: { type: "object", additionalProperties: { $ref: "pulumi.json#/Any" } },
    raw: { $ref: "pulumi.json#/Json" },
    enabled: { type: "boolean" },
  },
  requiredInputs: ["size"],
  properties: { id: { type: "string" }, ports: { type: "array", items: { type: "number" } } },
  required: ["id"],
};

describe("the schema types generator", () => {
  // Formatted as `npm run gen:types` writes it.
  const text = formatTypeScript(
    schemaTypes({ resources: { "acme:index:BigThing": thing } }),
    PATH,
    REPO_ROOT,
  );
  const line = (expected: string) =>
    assert.ok(
      text.split("\n").some((l) => l.trim() === expected),
      `no line ${JSON.stringify(expected)} in:\n${text}`,
    );

  it("types each input as a pulumi.Input, inside lists and maps too; required inputs without '?'", () => {
    line("size: pulumi.Input<number>;");
    line("name?: pulumi.Input<string>;");
    line("tags?: pulumi.Input<pulumi.Input<string>[]>;");
    line("labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;");
    line("settings?: pulumi.Input<Record<string, unknown>>;");
    line("raw?: unknown;");
    line("enabled?: pulumi.Input<boolean>;");
  });

  it("declares the outputs on an abstract base, undefined allowed where the schema does not require them", () => {
    line("export abstract class BigThingBase extends pulumi.ComponentResource {");
    line("abstract readonly id: pulumi.Output<string>;");
    line("abstract readonly ports: pulumi.Output<number[] | undefined>;");
  });

  it("names the token, and carries the schema's descriptions and defaults into doc comments", () => {
    line('export const BIG_THING_TOKEN = "acme:index:BigThing";');
    line("/** How big. */");
    line('* @defaultValue `"thing"`');
    line("* A thing.");
  });

  it("maps the token to a class taking the Args and extending the base, and constructs it by token", () => {
    line('readonly "acme:index:BigThing": new (');
    line("args: BigThingArgs,");
    line(") => BigThingBase;");
    line("case BIG_THING_TOKEN: {");
    line("const component = new classes[BIG_THING_TOKEN](name, bigThingArgs(inputs), options);");
  });

  it("refuses what it cannot type yet, naming the property, rather than typing it loosely", () => {
    const withInput = (property: object) => ({
      resources: { "acme:index:T": { isComponent: true, inputProperties: { shape: property } } },
    });
    assert.throws(
      () => schemaTypes(withInput({ $ref: "#/types/acme:index:Shape" })),
      /^Error: acme:index:T\.shape: \$ref #\/types\/acme:index:Shape is not supported/,
    );
    assert.throws(
      () => schemaTypes(withInput({ type: "object", properties: {} })),
      /^Error: acme:index:T\.shape: an object needs additionalProperties/,
    );
    assert.throws(
      () => schemaTypes({ resources: { "acme:index:Bucket": { inputProperties: {} } } }),
      /^Error: acme:index:Bucket: only components are supported/,
    );
    assert.throws(() => schemaTypes({ resources: {} }), /declares no resources/);
  });
});
