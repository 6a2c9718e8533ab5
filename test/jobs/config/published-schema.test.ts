import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import Ajv from "ajv";
import { StackwrightInputError } from "../../../src/core/errors";
import { parseYaml } from "../../../src/core/yaml";
import { PUBLISHED_SCHEMA_PATH, publishedSchemaText } from "../../../src/jobs/config/published-schema";
import { parseServiceConfig } from "../../../src/jobs/config/service-config";
import { REPO_ROOT } from "../../support/paths";

const published = readFileSync(join(REPO_ROOT, PUBLISHED_SCHEMA_PATH), "utf8");

/** The published schema as an editor's validator reads it: Ajv, strict, every error. */
function editorValidator() {
  // `errorMessage` is the editors' keyword for a field's message (yaml-language-server, VS Code).
  // strictRequired would refuse a workload's oneOf, whose `required` names properties declared
  // beside it, not inside it: valid JSON Schema, only not Ajv's preferred shape.
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false }).addKeyword("errorMessage");
  return ajv.compile(JSON.parse(published));
}

/** The configuration examples of docs/job-service.md: its YAML blocks. */
function documentedConfigs(): unknown[] {
  const page = readFileSync(join(REPO_ROOT, "docs", "job-service.md"), "utf8");
  return [...page.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => parseYaml(m[1] as string));
}

describe("the published JSON Schema of stackwright-jobs.yaml", () => {
  it("is what config-schema.ts generates (after a change: ./dev.sh run npm run gen:config-schema)", () => {
    assert.equal(published, publishedSchemaText());
  });

  it("is a JSON Schema an editor can use", () => {
    assert.equal(typeof editorValidator(), "function");
  });

  it("accepts the documented configuration, which the service accepts too", () => {
    const examples = documentedConfigs();
    assert.ok(examples.length > 0, "docs/job-service.md has no yaml block");
    const validate = editorValidator();
    for (const example of examples) {
      assert.ok(validate(example), JSON.stringify(validate.errors, null, 2));
      const config = parseServiceConfig(example, "/srv/jobs", {});
      assert.ok(config.stacks.size > 0, "the example declares stacks");
    }
  });

  it("refuses what the service refuses for its structure", () => {
    const validate = editorValidator();
    const stack = { workload: "web", passphrase: { fromEnv: "P" } };
    const valid = { workloads: { web: { project: "./web" } }, stacks: { "organization/web/dev": stack } };
    const refused: [string, unknown][] = [
      ["an unknown top-level field", { ...valid, colour: "blue" }],
      [
        "a secret written in the file",
        { ...valid, stacks: { "organization/web/dev": { ...stack, passphrase: "x" } } },
      ],
      ["a fraction of a connection", { ...valid, api: { maxConnections: 1.5 } }],
      ["a workload both project and component", { workloads: { web: { project: ".", component: {} } } }],
      ["a workload neither", { workloads: { web: {} } }],
      ["a zero timeout", { ...valid, stacks: { "organization/web/dev": { ...stack, timeoutSeconds: 0 } } }],
      ["a database that is not PostgreSQL", { ...valid, database: "mysql://db/jobs" }],
    ];
    assert.ok(validate(valid), JSON.stringify(validate.errors));
    assert.doesNotThrow(() => parseServiceConfig(valid, "/srv", {}));
    for (const [what, config] of refused) {
      assert.equal(validate(config), false, `the published schema accepts ${what}`);
      assert.throws(
        () => parseServiceConfig(config, "/srv", {}),
        StackwrightInputError,
        `the service accepts ${what}`,
      );
    }
  });
});
