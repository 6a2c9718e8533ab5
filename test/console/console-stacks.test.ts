import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createPlatformClient, type PlatformClient } from "../../src/jobs/api/client";
import {
  DeploymentStatus,
  DeployPolicyScope,
  Language,
  Role,
  StackStatus,
} from "../../src/jobs/api/gen/stackwright/platform/v1/platform_pb";
import { launchChromium, seriousViolations } from "./browser";
import { type ConsoleService, startConsoleService, userToken, yamlSource } from "./service";
import { freshPage, screenshot } from "./session";

const SERVICE_TOKEN = "service-token-console-stacks-7c1d93e2";
const TENANT = "shop";

/** No resources: its deploy and destroy take seconds. One output plain, one secret. */
const source = yamlSource(
  [
    "name: greeter",
    "runtime: yaml",
    "config:",
    "  greeting:",
    "    type: string",
    "outputs:",
    "  message: ${greeting}",
    "  token:",
    "    fn::secret: s3cr3t",
    "",
  ].join("\n"),
  { type: "object", properties: { greeting: { type: "string", default: "hello" } } },
);

/** A number the tenant's constraint narrows, and a secret (writeOnly) sent apart. */
const counter = yamlSource(
  [
    "name: counter",
    "runtime: yaml",
    "config:",
    "  replicas:",
    "    type: integer",
    "  password:",
    "    type: string",
    "outputs:",
    "  replicas: ${replicas}",
    "",
  ].join("\n"),
  {
    type: "object",
    required: ["password"],
    properties: {
      replicas: { type: "integer", default: 1, minimum: 1, maximum: 10, description: "How many copies" },
      password: { type: "string", writeOnly: true },
    },
  },
);

describe("the console's stacks, deploys and approvals, in Chromium, against a real service", () => {
  let browser: Browser;
  let service: ConsoleService;
  let admin: PlatformClient;
  let url: string;
  const tokens: Record<string, string> = {};

  before(async () => {
    browser = await launchChromium();
    service = await startConsoleService(SERVICE_TOKEN);
    ({ url, admin } = service);
    await admin.governance.createTenant({ name: TENANT });
    await admin.catalog.createTemplate({ name: "greeter", language: Language.YAML, source });
    await admin.catalog.publishTemplate({ template: "greeter" });
    await admin.catalog.createTemplate({
      name: "counter",
      displayName: "Counter",
      language: Language.YAML,
      source: counter,
    });
    await admin.catalog.publishTemplate({ template: "counter" });
    await admin.governance.setConstraint({
      template: "counter",
      tenant: TENANT,
      constraint: { parameters: { replicas: { maximum: 3 } } },
    });
    tokens.uma = await userToken(admin, TENANT, "uma", Role.USER);
    tokens.ada = await userToken(admin, TENANT, "ada", Role.TENANT_ADMIN);
    await admin.stacks.deployStack({ tenant: TENANT, name: "hello", template: "greeter" });
    await until(
      async () => (await admin.stacks.getStack({ tenant: TENANT, name: "hello" })).status,
      StackStatus.DEPLOYED,
    );
  });
  after(async () => {
    await browser?.close();
    await service?.fx.close();
  });

  async function until(read: () => Promise<StackStatus>, wanted: StackStatus): Promise<void> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const status = await read();
      if (status === wanted) return;
      assert.ok(
        Date.now() < deadline,
        `still ${StackStatus[status]}, not ${StackStatus[wanted]}, after 2 minutes`,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async function assertAccessible(page: Page, what: string): Promise<void> {
    assert.deepEqual(await seriousViolations(page), [], `${what}: axe found serious or critical violations`);
  }

  it("shows a stack from the list: status, outputs with the secret marked, its deployment's steps; no destroy for a User", async () => {
    const { context, page, errors } = await freshPage(browser, tokens.uma);
    try {
      await page.goto(`${url}/infrastructure/stacks`);
      await page.getByRole("link", { name: "hello" }).click();
      await page.waitForURL(`${url}/infrastructure/stacks/hello`);
      const heading = page.getByRole("heading", { level: 1 });
      await heading.filter({ hasText: "Stack hello" }).waitFor();
      assert.equal(await heading.locator(".badge").textContent(), "deployed");
      const outputs = page.getByLabel("Outputs", { exact: true });
      assert.equal(await outputs.locator('[data-value="message"] dd').textContent(), "hello");
      assert.equal(await outputs.locator('[data-value="token"] dd').textContent(), "[secret]");
      assert.doesNotMatch((await page.content()) ?? "", /s3cr3t/);
      const deployment = page.locator("li.deployment").first();
      assert.match((await deployment.locator("h3").textContent()) ?? "", /deploy of version 1\s*succeeded/);
      for (const step of ["validate", "preview", "up"])
        assert.equal(
          await deployment.locator(`tr[data-step="${step}"] .badge`).textContent(),
          "succeeded",
          step,
        );
      assert.match((await deployment.locator('tr[data-step="up"] code').textContent()) ?? "", /\S/);
      // A User may not destroy: the button is there, disabled, and says why.
      const destroy = page.getByRole("button", { name: "Destroy…" });
      assert.equal(await destroy.isDisabled(), true);
      await page.getByText("Destroying a stack needs the Tenant Admin role.").waitFor();
      await assertAccessible(page, "stack page");
      await screenshot(page, "stack");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it("destroys a stack as a Tenant Admin once its name is typed, and follows the destroy live to destroyed", async () => {
    const { context, page, errors } = await freshPage(browser, tokens.ada);
    try {
      await page.goto(`${url}/infrastructure/stacks/hello`);
      await page.getByRole("button", { name: "Destroy…" }).click();
      const dialog = page.getByRole("dialog", { name: "Destroy hello?" });
      await dialog.waitFor();
      const confirm = dialog.getByRole("button", { name: "Destroy", exact: true });
      assert.equal(await confirm.isDisabled(), true);
      await dialog.getByLabel("Stack name").fill("hell");
      assert.equal(await confirm.isDisabled(), true);
      await dialog.getByLabel("Stack name").fill("hello");
      await assertAccessible(page, "destroy dialog");
      await confirm.click();
      await dialog.waitFor({ state: "detached" });
      // The page follows the destroy's deployment as it runs, then shows the stack destroyed.
      const newest = page.locator("li.deployment").first();
      await newest.locator("h3").filter({ hasText: "destroy of version 1" }).waitFor();
      await page
        .getByRole("heading", { level: 1 })
        .locator(".badge", { hasText: "destroyed" })
        .waitFor({ timeout: 60_000 });
      assert.match((await newest.locator("h3").textContent()) ?? "", /succeeded/);
      assert.equal(await newest.locator('tr[data-step="destroy"] .badge').textContent(), "succeeded");
      assert.equal(await page.getByRole("button", { name: "Destroy…" }).count(), 0);
      await page.getByText("The stack is destroyed: the service no longer lists its deployments.").waitFor();
      await assertAccessible(page, "stack page, destroyed");
      // The stack's lookup by name, refused once it is destroyed (404), is how the page learns it.
      assert.deepEqual(
        errors.filter((e) => !/status of 404/.test(e)),
        [],
      );
    } finally {
      await context.close();
    }
  });

  it("deploys from the templates page: a form of the tenant's effective schema, the service's violation on its field, then the stack's page live to deployed", async () => {
    const { context, page, errors } = await freshPage(browser, tokens.uma);
    try {
      await page.goto(`${url}/infrastructure/templates`);
      await page.getByRole("button", { name: "Deploy Counter" }).click();
      const dialog = page.getByRole("dialog", { name: "Deploy Counter" });
      await dialog.getByLabel("Stack name").fill("web");
      const replicas = dialog.getByLabel("replicas");
      // The tenant's constraint, in the effective schema: the form's default is the template's.
      assert.equal(await replicas.inputValue(), "1");
      const password = dialog.getByLabel("password");
      assert.equal(await password.getAttribute("type"), "password");
      await replicas.fill("5");
      await password.fill("hunter2");
      await assertAccessible(page, "deploy dialog");
      await dialog.getByRole("button", { name: "Deploy", exact: true }).click();
      // The service refuses 5 (the tenant's maximum is 3): its words, on the field.
      const problem = dialog.locator("#parameter_replicas__error");
      await problem.filter({ hasText: "must be <= 3" }).waitFor();
      await assertAccessible(page, "deploy dialog with the service's violation");
      await screenshot(page, "deploy-dialog");
      await replicas.fill("2");
      await dialog.getByRole("button", { name: "Deploy", exact: true }).click();
      await page.waitForURL(`${url}/infrastructure/stacks/web`);
      const newest = page.locator("li.deployment").first();
      await newest.locator("h3").filter({ hasText: "deploy of version 1" }).waitFor();
      await page
        .getByRole("heading", { level: 1 })
        .locator(".badge", { hasText: "deployed" })
        .waitFor({ timeout: 60_000 });
      assert.match((await newest.locator("h3").textContent()) ?? "", /succeeded/);
      const outputs = page.getByLabel("Outputs", { exact: true });
      assert.equal(await outputs.locator('[data-value="replicas"] dd').textContent(), "2");
      assert.doesNotMatch(await page.content(), /hunter2/);
      // The browser logs the refused deploy (400); nothing else may go wrong.
      assert.deepEqual(
        errors.filter((e) => !/status of 400/.test(e)),
        [],
      );
    } finally {
      await context.close();
    }
  });

  it("approves in the inbox: the plan shown, the starter's own approval refused with the service's words, another's approval applied", async () => {
    // From here on, every deploy of the tenant waits for a User or above to approve it.
    await admin.stacks.setDeployPolicy({
      scope: DeployPolicyScope.TENANT,
      ref: TENANT,
      policy: { requireApproval: true, approverRole: Role.USER },
    });
    const uma = createPlatformClient({
      baseUrl: url,
      token: tokens.uma as string,
      transport: "connect-json",
    });
    const started = await uma.stacks.deployStack({
      tenant: TENANT,
      name: "gated",
      template: "counter",
      secretParameters: { password: "pw" },
    });
    const id = started.deployment?.id ?? "";
    const deadline = Date.now() + 60_000;
    while (
      (await admin.stacks.getDeployment({ tenant: TENANT, deploymentId: id })).status !==
      DeploymentStatus.AWAITING_APPROVAL
    ) {
      assert.ok(Date.now() < deadline, "the deploy did not come to await approval within a minute");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const own = await freshPage(browser, tokens.uma);
    try {
      await own.page.goto(`${url}/infrastructure/approvals`);
      const item = own.page.locator(`li[data-deployment="${id}"]`);
      await item.getByRole("button", { name: "Approve" }).click();
      await item.getByRole("alert").filter({ hasText: "someone else must approve or reject it" }).waitFor();
      assert.deepEqual(
        own.errors.filter((e) => !/status of 403/.test(e)),
        [],
      );
    } finally {
      await own.context.close();
    }

    const { context, page, errors } = await freshPage(browser, tokens.ada);
    try {
      await page.goto(`${url}/infrastructure/approvals`);
      const item = page.locator(`li[data-deployment="${id}"]`);
      await item.getByRole("heading", { name: "deploy of gated, version 1" }).waitFor();
      assert.match((await item.locator('[data-change="create"]').textContent()) ?? "", /1 to create/);
      assert.match((await item.locator("code.hash").textContent()) ?? "", /\S/);
      await assertAccessible(page, "approvals inbox");
      await screenshot(page, "approvals");
      await item.getByLabel("Comment").fill("looks right");
      await item.getByRole("button", { name: "Approve" }).click();
      await page.getByText("Approved: the deploy of gated.").waitFor();
      await page.getByText("Nothing awaits approval in this tenant.").waitFor();
      await page.goto(`${url}/infrastructure/stacks/gated`);
      await page
        .getByRole("heading", { level: 1 })
        .locator(".badge", { hasText: "deployed" })
        .waitFor({ timeout: 60_000 });
      assert.match(
        (await page.locator("li.deployment").first().textContent()) ?? "",
        /approved by ada .*looks right/,
      );
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
