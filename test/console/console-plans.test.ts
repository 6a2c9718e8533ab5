import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { createPlatformClient, type PlatformClient } from "../../src/jobs/api/client";
import {
  type Deployment,
  DeploymentStatus,
  DeploymentStepName,
  DeployPolicyScope,
  Language,
  Role,
} from "../../src/jobs/api/gen/stackwright/platform/v1/platform_pb";
import { assertAccessible, launchChromium } from "./browser";
import { type ConsoleService, startConsoleService, userToken } from "./service";
import { freshPage, screenshot } from "./session";

const SERVICE_TOKEN = "service-token-console-plans-51c0e8a4";
const TENANT = "studio";

/**
 * Components named by the `parts` parameter, so that a plan has resources to show with no provider
 * plugin; `holdMs` keeps the program running after they are registered, so that a step's job is
 * seen running with its events.
 */
const PARTS_PROGRAM = [
  'import { EOL } from "node:os";',
  'import * as pulumi from "@pulumi/pulumi";',
  "",
  "const config = new pulumi.Config();",
  'const parts = (config.get("parts") ?? "a").split(",");',
  'const holdMs = config.getNumber("holdMs") ?? 0;',
  'for (const part of parts) new pulumi.ComponentResource("studio:index:Part", part, {});',
  "export const held = pulumi",
  "  .output(new Promise<number>((resolve) => setTimeout(() => resolve(holdMs), holdMs)))",
  "  .apply((ms) => `${ms} ms`);",
  'export const lineEnd = EOL === "\\n" && typeof process.env.PATH === "string" ? "LF" : "other";',
  "",
].join("\n");

const PARTS_TEMPLATE = {
  files: { "Pulumi.yaml": "name: parts\nruntime: nodejs\n", "index.ts": PARTS_PROGRAM },
  dependencies: { "@pulumi/pulumi": "^3.0.0" },
  parameters: {
    type: "object",
    properties: {
      parts: { type: "string", default: "a,b", description: "The components, by name" },
      holdMs: { type: "integer", default: 0, minimum: 0, maximum: 20_000 },
    },
  },
};

describe("the console and plans: a preview's changes resource by resource, rejections, live job events, in Chromium, against a real service", () => {
  let browser: Browser;
  let service: ConsoleService;
  let admin: PlatformClient;
  let uma: PlatformClient;
  let url: string;
  const tokens: Record<string, string> = {};

  before(async () => {
    browser = await launchChromium();
    service = await startConsoleService(SERVICE_TOKEN);
    ({ url, admin } = service);
    await admin.governance.createTenant({ name: TENANT });
    await admin.catalog.createTemplate({
      name: "parts",
      displayName: "Parts",
      language: Language.TYPESCRIPT,
      ownerTenant: TENANT,
      source: PARTS_TEMPLATE,
    });
    await admin.catalog.publishTemplate({ template: "parts" });
    tokens.uma = await userToken(admin, TENANT, "uma", Role.USER);
    tokens.ada = await userToken(admin, TENANT, "ada", Role.TENANT_ADMIN);
    uma = createPlatformClient({ baseUrl: url, token: tokens.uma, transport: "connect-json" });
    // Every deploy waits for someone other than its starter, a User or above, to approve it.
    await admin.stacks.setDeployPolicy({
      scope: DeployPolicyScope.TENANT,
      ref: TENANT,
      policy: { requireApproval: true, approverRole: Role.USER },
    });
  });
  after(async () => {
    await browser?.close();
    await service?.fx.close();
  });

  async function deploymentUntil(id: string, wanted: DeploymentStatus): Promise<Deployment> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const deployment = await admin.stacks.getDeployment({ tenant: TENANT, deploymentId: id });
      if (deployment.status === wanted) return deployment;
      assert.ok(
        Date.now() < deadline,
        `deployment ${id} still ${DeploymentStatus[deployment.status]}, not ${DeploymentStatus[wanted]}, after 2 minutes: ${deployment.error}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it("shows an approver the plan resource by resource; rejected with a comment, nothing is applied and the stack's history says who and why", async () => {
    const started = await uma.stacks.deployStack({
      tenant: TENANT,
      name: "gallery",
      template: "parts",
      parameters: { parts: "frame,canvas" },
    });
    const id = started.deployment?.id ?? "";
    await deploymentUntil(id, DeploymentStatus.AWAITING_APPROVAL);

    const approver = await freshPage(browser, tokens.ada);
    try {
      const { page } = approver;
      await page.goto(`${url}/infrastructure/approvals`);
      const item = page.locator(`li.deployment[data-deployment="${id}"]`);
      const plan = item.locator(".plan-diff");
      for (const part of ["frame", "canvas"]) {
        const row = plan.locator(`tr[data-resource="${part}"]`);
        await row.waitFor();
        assert.equal(await row.getAttribute("data-op"), "create", part);
        assert.equal(await row.locator("td").nth(1).textContent(), "studio:index:Part");
      }
      // The stack itself is created too; nothing else is planned.
      assert.deepEqual(
        (
          await plan
            .locator("tr[data-op]")
            .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-resource")))
        ).sort(),
        ["canvas", "frame", "parts-gallery"].sort(),
      );
      await assertAccessible(page, "approvals inbox with a plan");
      await screenshot(page, "approvals");

      await item.getByLabel("Comment").fill("not before the opening");
      await item.getByRole("button", { name: "Reject" }).click();
      await page.getByText("Rejected: the deploy of gallery.").waitFor();
      await page.getByText("Nothing awaits approval in this tenant.").waitFor();
      assert.deepEqual(approver.errors, []);
    } finally {
      await approver.context.close();
    }

    const rejected = await deploymentUntil(id, DeploymentStatus.REJECTED);
    assert.equal(rejected.approval?.decidedBy, "ada");
    assert.equal(rejected.approval?.comment, "not before the opening");
    assert.equal(
      rejected.steps.some((s) => s.name === DeploymentStepName.UP),
      false,
    );
    assert.deepEqual((await admin.stacks.getStack({ tenant: TENANT, name: "gallery" })).outputs ?? {}, {});

    const starter = await freshPage(browser, tokens.uma);
    try {
      const { page } = starter;
      await page.goto(`${url}/infrastructure/stacks/gallery`);
      const newest = page.locator(`li.deployment[data-deployment="${id}"]`);
      await newest.locator("h3 .badge", { hasText: "rejected" }).waitFor();
      assert.match((await newest.textContent()) ?? "", /rejected by ada .*not before the opening/);
      assert.equal(await newest.locator('tr[data-step="up"]').count(), 0);
      // The plan that was refused, read only when asked for.
      assert.equal(await newest.locator(".plan-diff").count(), 0);
      await newest.getByText("Planned changes").click();
      await newest.locator('.plan-diff tr[data-resource="canvas"][data-op="create"]').waitFor();
      await assertAccessible(page, "stack page with a rejected deploy's plan");
      assert.deepEqual(starter.errors, []);
    } finally {
      await starter.context.close();
    }
  });

  it("follows a deploy's jobs live on the stack page: the preview's events as it runs, then, once approved, the up's, to deployed", async () => {
    const starter = await freshPage(browser, tokens.uma);
    try {
      const { page } = starter;
      const started = await uma.stacks.deployStack({
        tenant: TENANT,
        name: "studio",
        template: "parts",
        parameters: { parts: "easel", holdMs: 6000 },
      });
      const id = started.deployment?.id ?? "";
      await page.goto(`${url}/infrastructure/stacks/studio`);
      const newest = page.locator(`li.deployment[data-deployment="${id}"]`);
      // The preview's job, running: its events come as the engine sends them.
      const previewLog = newest.getByRole("log");
      await previewLog.filter({ hasText: "create studio:index:Part easel" }).waitFor({ timeout: 60_000 });
      const previewJob = (await previewLog.getAttribute("aria-label")) ?? "";
      assert.match((await newest.locator('tr[data-step="preview"] .badge').textContent()) ?? "", /running/);
      await screenshot(page, "stack-live");
      await newest.locator("h3 .badge", { hasText: "awaiting approval" }).waitFor({ timeout: 60_000 });

      await admin.stacks.approveDeployment({ tenant: TENANT, deploymentId: id, comment: "go" });
      const upLog = newest.getByRole("log").filter({ hasText: "create studio:index:Part easel" });
      await upLog.waitFor({ timeout: 60_000 });
      assert.notEqual(await upLog.getAttribute("aria-label"), previewJob, "the up's job, not the preview's");
      assert.match((await newest.locator('tr[data-step="up"] .badge').textContent()) ?? "", /running/);
      await assertAccessible(page, "stack page with a running job");
      await page
        .getByRole("heading", { level: 1 })
        .locator(".badge", { hasText: "deployed" })
        .waitFor({ timeout: 60_000 });
      // Ended, the job's live view goes; the outputs come.
      assert.equal(await newest.getByRole("log").count(), 0);
      const outputs = page.getByLabel("Outputs", { exact: true });
      assert.equal(await outputs.locator('[data-value="held"] dd').textContent(), "6000 ms");
      assert.equal(await outputs.locator('[data-value="lineEnd"] dd').textContent(), "LF");
      assert.deepEqual(starter.errors, []);
    } finally {
      await starter.context.close();
    }
  });

  it("previews a template author's draft on a stack from the editor: the plan shown resource by resource, the stack left at its version", async () => {
    const view = await admin.catalog.getTemplate({ template: "parts", tenant: TENANT });
    const id = view.template?.id ?? "";
    // The draft adds a lamp to whatever parts the stack has.
    await admin.catalog.saveDraft({
      template: "parts",
      source: {
        ...PARTS_TEMPLATE,
        files: {
          ...PARTS_TEMPLATE.files,
          "index.ts": `${PARTS_PROGRAM}new pulumi.ComponentResource("studio:index:Part", "lamp", {});\n`,
        },
      },
    });
    const author = await freshPage(browser, tokens.ada);
    try {
      const { page } = author;
      await page.goto(`${url}/infrastructure/templates/${id}`);
      await page.locator(".monaco-editor .view-lines").filter({ hasText: '"lamp"' }).waitFor();
      const panel = page.getByRole("region", { name: "Preview" });
      await panel.getByLabel("Stack").selectOption("studio");
      const preview = panel.getByRole("button", { name: "Preview v2" });
      // Changed and not saved, the draft is not what the service would preview.
      await page.locator(".monaco-editor .view-lines").click();
      await page.keyboard.press("Control+End");
      await page.keyboard.insertText("// unsaved\n");
      await panel.getByText("Save the draft first: the service previews it as saved.").waitFor();
      assert.equal(await preview.isDisabled(), true);
      // Left unsaved, the draft as saved is what the preview runs.
      await page.reload();
      await page.locator(".monaco-editor .view-lines").filter({ hasText: '"lamp"' }).waitFor();
      await panel.getByLabel("Stack").selectOption("studio");
      assert.equal(await panel.getByText("Save the draft first").count(), 0);

      await preview.click();
      const result = panel.locator(".preview-result");
      await result.locator(".badge", { hasText: "succeeded" }).waitFor({ timeout: 90_000 });
      const lamp = result.locator('.plan-diff tr[data-resource="lamp"]');
      await lamp.waitFor();
      assert.equal(await lamp.getAttribute("data-op"), "create");
      assert.deepEqual(await result.locator(".plan-diff tr[data-op]").count(), 1, "only the lamp changes");
      await result.getByText("2 resources stay as they are.").waitFor();
      // The program's Node globals (setTimeout, process) and modules (node:os) are known to the editor's check, as to the service's.
      assert.equal(await page.locator('[data-typescript="checked"]').count(), 1);
      assert.deepEqual(await page.locator('ul.problems li[data-source="typescript"]').allTextContents(), []);
      await assertAccessible(page, "template editor with a preview's plan");
      await screenshot(page, "template-preview");
      assert.deepEqual(author.errors, []);
    } finally {
      await author.context.close();
    }
    const stack = await admin.stacks.getStack({ tenant: TENANT, name: "studio" });
    assert.equal(stack.templateVersion, 1);
    const { deployments } = await admin.stacks.listStackDeployments({ tenant: TENANT, name: "studio" });
    assert.equal(deployments[0]?.templateVersion, 2, "the preview's deployment records the draft's version");
  });
});
