import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { formatTypeScript } from "../../scripts/gen-format";
import { openApiTypes } from "../../scripts/gen-openapi-types";
import { GENERATED_FILES, generatedText } from "../../scripts/gen-types";
import { REPO_ROOT } from "../support/paths";

/** The Promise's types: Kratix's Promise from its CRD, the CustomResourceDefinition from Kubernetes. */
describe("src/promise/generated/", () => {
  for (const path of [
    "src/promise/generated/custom-resource-definition.ts",
    "src/promise/generated/kratix-promise.ts",
  ])
    it(`${path} is exactly what its source generates (regenerate with npm run gen:types)`, async () => {
      const file = GENERATED_FILES.find((f) => f.path === path);
      assert.ok(file, `${path} is not among the generated files`);
      const committed = readFileSync(join(REPO_ROOT, path), "utf8");
      assert.ok(
        committed === (await generatedText(file, REPO_ROOT)),
        `${path} is stale: run npm run gen:types`,
      );
    });
});

const ref = (name: string) => ({ $ref: `#/components/schemas/io.example.v1.${name}` });

/** An OpenAPI document in the shape the API server serves, with these schemas under io.example.v1. */
function documentOf(schemas: Record<string, unknown>): string {
  return JSON.stringify({
    openapi: "3.0.0",
    components: {
      schemas: Object.fromEntries(
        Object.entries(schemas).map(([name, schema]) => [`io.example.v1.${name}`, schema]),
      ),
    },
  });
}

async function typesOf(schemas: Record<string, unknown>, extra: object = {}): Promise<string> {
  const text = await openApiTypes({
    docText: documentOf(schemas),
    docPath: "crds/example.json",
    roots: ["io.example.v1.Widget"],
    ...extra,
  });
  return formatTypeScript(text, "src/promise/generated/widget.ts", REPO_ROOT).replace(/\s+/g, " ");
}

describe("the OpenAPI types generator", () => {
  it("declares each named object once, referred to by name, and writes scalars where they are used", async () => {
    const text = await typesOf({
      Widget: {
        type: "object",
        required: ["part"],
        properties: {
          part: { description: "The part.", allOf: [ref("Part")] },
          parts: { type: "array", items: ref("Part") },
          created: ref("Time"),
          value: ref("JSON"),
          raw: { type: "object" },
        },
      },
      Part: { type: "object", properties: { owner: ref("Widget") } },
      Time: { type: "string", format: "date-time" },
      JSON: { description: "Any value." },
    });
    assert.match(text, /export interface Widget \{ \/\*\* \* The part\. \*\/ part: Part; parts\?: Part\[\];/);
    assert.match(text, / created\?: string;/);
    assert.match(text, / value\?: unknown;/);
    assert.match(text, / raw\?: \{ \[k: string\]: unknown; \};/);
    assert.match(text, /export interface Part \{ owner\?: Widget; \}/);
    assert.equal(text.match(/export interface Part\b/g)?.length, 1);
  });

  it("imports types declared elsewhere and writes out the overridden ones", async () => {
    const text = await typesOf(
      {
        Widget: { type: "object", properties: { meta: ref("Meta"), either: ref("Either") } },
        Meta: { type: "object", properties: { name: { type: "string" } } },
        Either: { description: "A Widget or a boolean (in words only)." },
      },
      {
        imports: { "io.example.v1.Meta": { name: "Meta", from: "./meta" } },
        overrides: { "io.example.v1.Either": "Widget | boolean" },
      },
    );
    assert.match(text, /^.*import type \{ Meta \} from "\.\/meta";/);
    assert.match(text, / meta\?: Meta; /);
    assert.match(text, / either\?: Widget \| boolean;/);
    assert.doesNotMatch(text, /interface Meta\b/);
  });

  it("refuses two schemas that would have the same type name", async () => {
    await assert.rejects(
      openApiTypes({
        docText: JSON.stringify({
          components: {
            schemas: {
              "io.a.v1.Widget": {
                type: "object",
                properties: { b: { $ref: "#/components/schemas/io.b.v1.Widget" } },
              },
              "io.b.v1.Widget": { type: "object", properties: { c: { type: "string" } } },
            },
          },
        }),
        docPath: "crds/example.json",
        roots: ["io.a.v1.Widget"],
      }),
      /io\.b\.v1\.Widget and io\.a\.v1\.Widget would both be Widget/,
    );
  });
});
