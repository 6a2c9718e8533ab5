import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { workflowBundle, writeWorkflowBundle } from "../../../src/jobs/deployments/workflow-bundle";

describe("the deployment workflows' bundle", () => {
  const dir = mkdtempSync(join(tmpdir(), "sw-workflow-bundle-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("is written by the build, of the workflows as built: workers load it rather than run webpack", async () => {
    const bundle = await workflowBundle();
    assert.ok("codePath" in bundle, "npm run build left no bundle of the current workflows");
    assert.match(bundle.codePath, /workflows\.bundle\.js$/);
  });

  it("is made anew, not loaded, when the workflows changed since it was written", async () => {
    const file = await writeWorkflowBundle(dir);
    writeFileSync(`${file}.sha256`, "0".repeat(64));
    const bundle = await workflowBundle(dir);
    assert.ok("code" in bundle && bundle.code.includes("deployStack"), "a stale bundle was loaded");
  });
});
