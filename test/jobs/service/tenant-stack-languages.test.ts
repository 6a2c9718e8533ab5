import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { type Caller, SERVICE_CALLER } from "../../../src/jobs/domain/caller";
import { type JobFixture, startJobFixture } from "../../support/job-fixture";
import { SAMPLE_COMPONENT_BIN, SAMPLE_COMPONENT_SCHEMA } from "../../support/paths";
import {
  followDeployment,
  GREETER_PARAMETERS,
  greeterProgram,
  settled,
  TEST_TEMPLATE_INSTALLS,
  userWithRole,
} from "../../support/platform-fixture";

const CANARY = "canary-secret-0d2b6f19";
const PARAMETERS = GREETER_PARAMETERS;

/** The same small program in each language the catalogue takes: a plain output and a secret one. */
const PROGRAMS = {
  typescript: {
    files: {
      "Pulumi.yaml": "name: greeter-ts\nruntime: nodejs\n",
      "index.ts": [
        'import * as pulumi from "@pulumi/pulumi";',
        "const config = new pulumi.Config();",
        // `satisfies` is newer than the TypeScript the Pulumi SDK carries: the program must run
        // with the TypeScript its code was checked with.
        'const greeting = config.require("greeting") satisfies string;',
        "export const message = `${greeting} from TypeScript`;",
        'export const key = config.requireSecret("apiKey");',
        "",
      ].join("\n"),
    },
    dependencies: { "@pulumi/pulumi": "3.259.0" },
    expected: "hi from TypeScript",
  },
  python: {
    files: {
      "Pulumi.yaml": "name: greeter-py\nruntime: python\n",
      "__main__.py": [
        "import pulumi",
        "config = pulumi.Config()",
        'pulumi.export("message", f"{config.require(\'greeting\')} from Python")',
        'pulumi.export("key", config.require_secret("apiKey"))',
        "",
      ].join("\n"),
    },
    dependencies: { pulumi: "3.259.0" },
    expected: "hi from Python",
  },
  yaml: {
    files: {
      "Pulumi.yaml": greeterProgram("greeter-yaml", " from YAML"),
    },
    dependencies: {},
    expected: "hi from YAML",
  },
} as const;

describe("a template in each language, published and deployed to a tenant stack on the real engine", () => {
  let fx: JobFixture;
  let alice: Caller;
  before(async () => {
    fx = await startJobFixture({
      stacks: {},
      settings: { templateInstallsDir: TEST_TEMPLATE_INSTALLS, concurrency: 2 },
      // The sample component's provider plugin, for the template made from its schema.
      env: { ...process.env, PATH: `${SAMPLE_COMPONENT_BIN}:${process.env.PATH ?? ""}` },
    });
    await fx.server.platform.governance.createTenant(SERVICE_CALLER, { name: "team-a" });
    alice = await userWithRole(fx.server, "alice", "team-a", "tenant-admin");
  });
  after(async () => fx?.close());

  for (const [language, program] of Object.entries(PROGRAMS))
    it(`${language}: deployed with its outputs recorded (the secret one masked), then destroyed`, async () => {
      const { catalogue, stacks } = fx.server.platform;
      const name = `greeter-${language}`;
      await catalogue.createTemplate(alice, {
        name,
        language,
        ownerTenant: "team-a",
        source: { files: program.files, dependencies: program.dependencies, parameters: PARAMETERS },
      });
      const published = await catalogue.publish(alice, name);
      assert.match(published.contentHash ?? "", /^sha256:[0-9a-f]{64}$/);
      const { deployment } = await stacks.deploy(alice, {
        tenant: "team-a",
        name: `web-${language}`,
        template: name,
        parameters: { greeting: "hi" },
        secretParameters: { apiKey: CANARY },
      });
      const followed = await followDeployment(fx.server, alice, "team-a", deployment.id);
      assert.equal(followed.job.status, "succeeded", `${followed.job.error}\n${followed.job.output}`);
      assert.ok(!JSON.stringify(followed).includes(CANARY));
      const deployed = await settled(fx.server, alice, "team-a", `web-${language}`);
      assert.equal(deployed.status, "deployed", deployed.error ?? "");
      assert.deepEqual(deployed.outputs, { message: program.expected, key: "[secret]" });

      const destroyed = await stacks.destroy(alice, { tenant: "team-a", name: `web-${language}` });
      await followDeployment(fx.server, alice, "team-a", destroyed.deployment.id);
      assert.equal((await settled(fx.server, alice, "team-a", `web-${language}`)).status, "destroyed");
    });

  it("a template made from a component's schema: parameters from its inputs, the program from the translation core", async () => {
    const { catalogue, stacks } = fx.server.platform;
    const view = await catalogue.createTemplate(SERVICE_CALLER, {
      name: "queue",
      language: "yaml",
      component: { schema: readFileSync(SAMPLE_COMPONENT_SCHEMA, "utf8"), token: "sample:index:Queue" },
    });
    const draft = view.versions[0];
    assert.deepEqual(Object.keys(draft?.parameters.properties ?? {}).sort(), ["fifo", "retentionHours"]);
    assert.equal(draft?.parameters.properties.retentionHours?.default, 24);
    await catalogue.publish(SERVICE_CALLER, "queue");
    const { deployment } = await stacks.deploy(alice, {
      tenant: "team-a",
      name: "orders",
      template: "queue",
      parameters: { fifo: true },
    });
    const followed = await followDeployment(fx.server, alice, "team-a", deployment.id);
    assert.equal(followed.job.status, "succeeded", `${followed.job.error}\n${followed.job.output}`);
    const deployed = await settled(fx.server, alice, "team-a", "orders");
    assert.equal(deployed.status, "deployed", deployed.error ?? "");
    assert.equal(typeof deployed.outputs?.url, "string");
    assert.deepEqual(deployed.parameters, { fifo: true, retentionHours: 24 });
  });
});
