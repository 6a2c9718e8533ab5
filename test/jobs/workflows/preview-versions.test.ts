import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { toYaml } from "../../../src/core/yaml";
import { type Caller, SERVICE_CALLER } from "../../../src/jobs/domain/caller";
import type { Deployment } from "../../../src/jobs/domain/deployment";
import type { JobEvent } from "../../../src/jobs/domain/job";
import type { TenantStack } from "../../../src/jobs/domain/tenant-stack";
import { type JobFixture, startJobFixture } from "../../support/job-fixture";
import {
  followDeployment,
  platformRefusal as refusal,
  settled,
  TEST_TEMPLATE_INSTALLS,
  userWithRole,
} from "../../support/platform-fixture";

const TENANT = "team-preview";
const API_KEY = "shop-api-key-5e1d";

/** A YAML program of `pulumi:index:Stash` resources, each given its input. */
function shop(resources: Record<string, string>, config: string[]) {
  return {
    files: {
      "Pulumi.yaml": toYaml({
        name: "shop",
        runtime: "yaml",
        config: Object.fromEntries(config.map((name) => [name, { type: "string" }])),
        resources: Object.fromEntries(
          Object.entries(resources).map(([name, input]) => [
            name,
            { type: "pulumi:index:Stash", properties: { input } },
          ]),
        ),
        outputs: { sign: "${sign.output}" },
      }),
    },
    dependencies: {},
  };
}

const V1 = {
  ...shop({ sign: "${greeting}", keyed: "key-${apiKey}" }, ["greeting", "apiKey"]),
  parameters: {
    type: "object",
    properties: {
      greeting: { type: "string", default: "hello" },
      apiKey: { type: "string", writeOnly: true, minLength: 8 },
    },
    required: ["apiKey"],
  },
};

/** Version 2: `sign` changed, a `badge` added, and a parameter with a default the stack never had. */
const V2_PARAMETERS = {
  ...V1.parameters,
  properties: { ...V1.parameters.properties, colour: { type: "string", default: "blue" } },
};
const V2 = {
  ...shop({ sign: "${greeting} in ${colour}", keyed: "key-${apiKey}", badge: "${colour}" }, [
    "greeting",
    "apiKey",
    "colour",
  ]),
  parameters: V2_PARAMETERS,
};

/** A preview job's planned steps of the program's resources: name → [op, diffs]. */
function planned(events: readonly JobEvent[]): Record<string, [unknown, unknown]> {
  return Object.fromEntries(
    events
      .filter((e) => e.kind === "resourcePreEvent" && e.data.type === "pulumi:index:Stash")
      .map((e) => [String(e.data.urn).split("::").pop(), [e.data.op, e.data.diffs]]),
  );
}

/**
 * PreviewStack with another version of the stack's template, on the real Temporal dev server and
 * engine: a provider's template, so only a Provider Admin (the service's caller) previews its draft.
 */
describe("previewing a stack with another version of its template: a draft for its managers, the stack untouched", () => {
  let fx: JobFixture;
  let alice: Caller;
  let bob: Caller;
  let deployed: TenantStack;

  const preview = (caller: Caller, version?: number) =>
    fx.server.platform.stacks.preview(caller, {
      tenant: TENANT,
      name: "store",
      ...(version !== undefined && { version }),
    });
  const outcome = async (started: { deployment: Deployment }) =>
    followDeployment(fx.server, SERVICE_CALLER, TENANT, started.deployment.id);
  const stackNow = () => fx.server.platform.stacks.get(SERVICE_CALLER, { tenant: TENANT, name: "store" });
  const saveDraft = (source: unknown) =>
    fx.server.platform.catalogue.saveDraft(SERVICE_CALLER, "shop", source);

  before(async () => {
    fx = await startJobFixture({ stacks: {}, settings: { templateInstallsDir: TEST_TEMPLATE_INSTALLS } });
    const { governance, catalogue, stacks } = fx.server.platform;
    await governance.createTenant(SERVICE_CALLER, { name: TENANT });
    alice = await userWithRole(fx.server, "alice", TENANT, "user");
    bob = await userWithRole(fx.server, "bob", TENANT, "tenant-admin");
    await catalogue.createTemplate(SERVICE_CALLER, { name: "shop", language: "yaml", source: V1 });
    await catalogue.publish(SERVICE_CALLER, "shop");
    await stacks.deploy(alice, {
      tenant: TENANT,
      name: "store",
      template: "shop",
      parameters: { greeting: "hi" },
      secretParameters: { apiKey: API_KEY },
    });
    deployed = await settled(fx.server, alice, TENANT, "store");
    assert.equal(deployed.status, "deployed", deployed.error ?? "");
  });
  after(async () => fx?.close());

  it("previews the draft: each resource's planned change by name, the new parameter's default filled in, nothing applied", async () => {
    await saveDraft(V2);
    const started = await preview(SERVICE_CALLER, 2);
    assert.equal(started.deployment.templateVersion, 2, "the deployment records the version previewed");
    assert.equal(started.stack.templateVersion, 1);
    const { deployment, job, events } = await outcome(started);
    assert.equal(deployment.status, "succeeded", deployment.error ?? "");
    assert.equal(job.workload, `template:${deployed.templateId}@2`);
    // `badge` reads `colour`, which the stack never had: the draft's default reached the program.
    assert.deepEqual(planned(events), {
      sign: ["update", ["input"]],
      keyed: ["same", []],
      badge: ["create", []],
    });
    assert.deepEqual(deployment.changes, { create: 1, update: 1, same: 2 });
    assert.ok(!JSON.stringify(events).includes(API_KEY), "the secret parameter reached the job's events");
    assert.deepEqual(await stackNow(), deployed, "the stack's record changed");
  });

  it("runs the draft as it is saved when the preview runs: a draft saved again is never served stale", async () => {
    await saveDraft({
      ...shop({ sign: "${greeting}", keyed: "other-${apiKey}" }, ["greeting", "apiKey", "colour"]),
      parameters: V2_PARAMETERS,
    });
    const { deployment, events } = await outcome(await preview(SERVICE_CALLER, 2));
    assert.equal(deployment.status, "succeeded", deployment.error ?? "");
    assert.deepEqual(planned(events), { sign: ["same", []], keyed: ["update", ["input"]] });
    assert.deepEqual(deployment.changes, { update: 1, same: 2 });
  });

  it("refuses a draft to whoever does not manage the template, a version that does not exist, and one the stack's parameters do not fit", async () => {
    await saveDraft(V2);
    // A User may preview, but a provider's draft is a Provider Admin's: a Tenant Admin is refused too.
    for (const caller of [alice, bob])
      await assert.rejects(
        preview(caller, 2),
        refusal("permission_denied", /^version: only a Provider Admin manages this template$/),
      );
    await assert.rejects(
      preview(SERVICE_CALLER, 9),
      refusal("not_found", /^version: the stack's template has no version 9$/),
    );
    // The stack's greeting is not among the draft's, and its stored API key is too short for it.
    await saveDraft({
      ...V2,
      parameters: {
        ...V2_PARAMETERS,
        properties: {
          ...V2_PARAMETERS.properties,
          greeting: { type: "string", enum: ["hello", "hey"], default: "hello" },
          apiKey: { type: "string", writeOnly: true, minLength: 20 },
        },
      },
    });
    const problems = await preview(SERVICE_CALLER, 2).then(
      () => assert.fail("previewed with parameters the draft refuses"),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, "invalid_argument", error.message);
        return error.message.split("\n").map((line) => line.split(": ")[0]);
      },
    );
    assert.deepEqual(problems.sort(), ["parameters.greeting", "secretParameters.apiKey"]);
    assert.ok(!JSON.stringify(problems).includes(API_KEY));
    const history = await fx.server.platform.stacks.history(SERVICE_CALLER, {
      tenant: TENANT,
      name: "store",
    });
    assert.equal(history.length, 3, "a refused preview started a deployment");
  });

  it("previews a published version for any User, and the stack's own version still changes nothing", async () => {
    await saveDraft(V2);
    await fx.server.platform.catalogue.publish(SERVICE_CALLER, "shop");
    const published = await outcome(await preview(alice, 2));
    assert.equal(published.deployment.status, "succeeded", published.deployment.error ?? "");
    assert.equal(published.deployment.templateVersion, 2);
    assert.deepEqual(planned(published.events).badge, ["create", []]);

    const own = await outcome(await preview(alice));
    assert.equal(own.deployment.status, "succeeded", own.deployment.error ?? "");
    assert.equal(own.deployment.templateVersion, 1);
    assert.equal(own.job.workload, `template:${deployed.templateId}@1`);
    assert.deepEqual(planned(own.events), { sign: ["same", []], keyed: ["same", []] });
    assert.deepEqual(await stackNow(), deployed, "the stack's record changed");
  });
});
