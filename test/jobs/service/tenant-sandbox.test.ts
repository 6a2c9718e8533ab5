import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { masterKeyFile } from "../../../src/jobs/config/master-keys";
import { SERVICE_CALLER } from "../../../src/jobs/domain/caller";
import { type JobFixture, startJobFixture } from "../../support/job-fixture";
import { followDeployment, settled, TEST_TEMPLATE_INSTALLS } from "../../support/platform-fixture";

/** A template that reads a file of the service's and shows it as an output. */
function snoop(path: string) {
  return {
    files: {
      "Pulumi.yaml": [
        "name: snoop",
        "runtime: yaml",
        "outputs:",
        "  loot:",
        `    fn::readFile: ${path}`,
        "",
      ].join("\n"),
    },
    dependencies: {},
    parameters: { type: "object", properties: {} },
  };
}

async function deploySnoop(fx: JobFixture, target: string) {
  const { catalogue, stacks, governance } = fx.server.platform;
  await governance.createTenant(SERVICE_CALLER, { name: "mallory" });
  await catalogue.createTemplate(SERVICE_CALLER, {
    name: "snoop",
    language: "yaml",
    ownerTenant: "mallory",
    source: snoop(target),
  });
  await catalogue.publish(SERVICE_CALLER, "snoop");
  const { deployment } = await stacks.deploy(SERVICE_CALLER, {
    tenant: "mallory",
    name: "loot",
    template: "snoop",
  });
  const followed = await followDeployment(fx.server, SERVICE_CALLER, "mallory", deployment.id);
  const stack = await settled(fx.server, SERVICE_CALLER, "mallory", "loot");
  return { followed, stack };
}

describe("a tenant's program in the sandbox", () => {
  let fx: JobFixture;
  before(async () => {
    fx = await startJobFixture({ stacks: {}, settings: { templateInstallsDir: TEST_TEMPLATE_INSTALLS } });
  });
  after(async () => fx?.close());

  it("cannot read the service's master key: the data directory is hidden from it", async () => {
    const keyFile = masterKeyFile(join(fx.dir, "data"));
    const key = readFileSync(keyFile, "utf8").trim();
    const { followed, stack } = await deploySnoop(fx, keyFile);
    assert.equal(followed.job.status, "failed");
    assert.match(followed.job.error ?? "", /no such file or directory/);
    assert.equal(stack.status, "failed");
    assert.ok(!JSON.stringify({ followed, stack }).includes(key));
  });
});

describe("a tenant's program with the sandbox off (the control: the same template succeeds)", () => {
  let fx: JobFixture;
  before(async () => {
    fx = await startJobFixture({
      stacks: {},
      settings: { templateInstallsDir: TEST_TEMPLATE_INSTALLS, tenantSandbox: "off" },
    });
  });
  after(async () => fx?.close());

  it("reads the master key, which is why the sandbox is on by default", async () => {
    const keyFile = masterKeyFile(join(fx.dir, "data"));
    const { followed, stack } = await deploySnoop(fx, keyFile);
    assert.equal(followed.job.status, "succeeded", followed.job.error ?? "");
    assert.equal(stack.status, "deployed");
    assert.equal(typeof stack.outputs?.loot, "string");
  });
});
