import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import type { PlatformClient } from "../../src/jobs/api/client";
import {
  DeployPolicyScope,
  Language,
  Role,
  StackStatus,
} from "../../src/jobs/api/gen/stackwright/platform/v1/platform_pb";
import { assertAccessible, launchChromium } from "./browser";
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

const TS_PROGRAM = [
  'import * as pulumi from "@pulumi/pulumi";',
  "",
  "const config = new pulumi.Config();",
  'export const greeting: pulumi.Output<string> = pulumi.output(config.get("greeting") ?? "hello");',
  "",
].join("\n");
/** Issue 16's benchmark: the editor ready with TypeScript checking. */
const EDITOR_READY_TARGET_MS = 2_000;

describe("the console end to end: stacks, the template editor, deploys, approvals, governance, in Chromium, against a real service", () => {
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
    await admin.catalog.createTemplate({
      name: "hello-ts",
      displayName: "Hello TypeScript",
      language: Language.TYPESCRIPT,
      ownerTenant: TENANT,
      source: {
        files: { "Pulumi.yaml": "name: hello-ts\nruntime: nodejs\n", "index.ts": TS_PROGRAM },
        dependencies: { "@pulumi/pulumi": "^3.0.0" },
        parameters: {
          type: "object",
          properties: { greeting: { type: "string", description: "What to say" } },
        },
      },
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

  it("shows a stack from the list: status, outputs with the secret marked, its deployment's steps; no destroy for a User", async () => {
    const { context, page, errors } = await freshPage(browser, tokens.uma);
    try {
      await page.goto(`${url}/infrastructure/stacks`);
      await page.locator('tr[data-stack="hello"]').waitFor();
      await screenshot(page, "stacks");
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
      await page
        .getByText("The stack is destroyed; its deployments stay, until another stack takes its name.")
        .waitFor();
      // Read again from the service, not kept from before: a new page shows the same history.
      await page.reload();
      const again = page.locator("li.deployment");
      await again.first().locator("h3").filter({ hasText: "destroy of version 1" }).waitFor();
      assert.equal(await again.count(), 2);
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

  it("edits a TypeScript template in Monaco: a type error marked in the editor and by the service, fixed, saved, published, then read-only", async (t) => {
    const { context, page, errors } = await freshPage(browser, tokens.ada);
    try {
      // Opened straight from its address, cold: the figure is the editor's own.
      const id =
        (await admin.catalog.getTemplate({ template: "hello-ts", tenant: TENANT })).template?.id ?? "";
      await page.goto(`${url}/infrastructure/templates/${id}`);
      await page.getByRole("heading", { name: "Template Hello TypeScript" }).waitFor();
      const code = page.locator(".monaco-editor .view-lines");
      await code.filter({ hasText: "pulumi.Config()" }).waitFor();
      const shown = Number(await page.evaluate("performance.now()"));
      await page.locator('[data-parameter="greeting"]').filter({ hasText: "What to say" }).waitFor();
      const problems = page.locator("ul.problems");
      // Ready: TypeScript has checked the code shown, against the SDK's declarations.
      await page.locator('[data-typescript="checked"]').waitFor();
      const checked = Number(await page.evaluate("performance.now()"));
      // The valid program has no problem.
      await page.getByText("No problems.").waitFor();

      // A type error, typed at the end of index.ts: TypeScript in the browser marks it.
      await code.click();
      await page.keyboard.press("Control+End");
      await page.keyboard.insertText('\nexport const count: number = "three";\n');
      const typeError = problems.locator('li[data-source="typescript"]', {
        hasText: "not assignable to type 'number'",
      });
      await typeError.waitFor();
      const ready = Number(await page.evaluate("performance.now()"));
      t.diagnostic(
        `template editor, cold cache: the code shown ${Math.round(shown)} ms after navigation start, TypeScript ready (its first check of the code shown done) at ${Math.round(checked)} ms (target ≤ ${EDITOR_READY_TARGET_MS} ms); a line with a type error typed then, marked at ${Math.round(ready)} ms (Monaco checks 500 ms after the last keystroke)`,
      );
      assert.ok(
        (await page.locator(".monaco-editor .squiggly-error").count()) > 0,
        "no squiggle under the error",
      );
      // Saved anyway, the service refuses it, at its line and column.
      await page.getByRole("button", { name: "Save draft" }).click();
      await problems.locator('li[data-source="service"]', { hasText: "index.ts:6:" }).waitFor();
      await assertAccessible(page, "template editor with problems");
      await screenshot(page, "template-editor");

      await code.click();
      await page.keyboard.press("Control+A");
      await page.keyboard.insertText(TS_PROGRAM);
      await page.getByRole("button", { name: "Save draft" }).click();
      await page.getByText("Draft v1 saved: the service found no problem.").waitFor();
      await page.getByText("No problems.").waitFor();
      await page.getByRole("button", { name: "Publish" }).click();
      await page.getByText(/^Published v1 \(sha256:/).waitFor();
      // Published, the version is read-only, and a new draft can be started from it.
      await page.getByText("A published version is read-only.").waitFor();
      assert.equal(await page.getByRole("button", { name: "Save draft" }).count(), 0);
      await page.getByRole("button", { name: "New draft" }).waitFor();
      assert.equal(await page.locator('[data-version="1"] td').first().textContent(), "published");
      await assertAccessible(page, "template editor, published");
      assert.deepEqual(
        errors.filter((e) => !/status of 400/.test(e)),
        [],
      );
      // A bound for a loaded machine, not the target: the figure above is what is reported.
      assert.ok(
        checked <= EDITOR_READY_TARGET_MS * 5,
        `TypeScript ready after ${Math.round(checked)} ms, over five times the ${EDITOR_READY_TARGET_MS} ms target`,
      );
    } finally {
      await context.close();
    }
  });

  it("end to end: a User signs in, deploys with a value outside the tenant's constraint and fixes it on its field; the deploy waits for approval, her own refused; a Tenant Admin approves it in the inbox; her stack page follows it live to deployed; the admin destroys it", async () => {
    // Every deploy of the tenant now waits for a User or above, other than its starter, to approve it.
    await admin.stacks.setDeployPolicy({
      scope: DeployPolicyScope.TENANT,
      ref: TENANT,
      policy: { requireApproval: true, approverRole: Role.USER },
    });
    const user = await freshPage(browser);
    const approver = await freshPage(browser, tokens.ada);
    try {
      const { page } = user;
      await page.goto(`${url}/`);
      await page.getByLabel("API token").fill(tokens.uma as string);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${url}/infrastructure/templates`);
      await page.getByRole("button", { name: "Deploy Counter" }).waitFor();
      await screenshot(page, "templates");

      await page.getByRole("button", { name: "Deploy Counter" }).click();
      const dialog = page.getByRole("dialog", { name: "Deploy Counter" });
      await dialog.getByLabel("Stack name").fill("web");
      const replicas = dialog.getByLabel("replicas");
      // The form is the tenant's effective schema; its default is the template's.
      assert.equal(await replicas.inputValue(), "1");
      const password = dialog.getByLabel("password");
      assert.equal(await password.getAttribute("type"), "password");
      await replicas.fill("5");
      await password.fill("hunter2");
      await assertAccessible(page, "deploy dialog");
      await dialog.getByRole("button", { name: "Deploy", exact: true }).click();
      // The service refuses 5 (the tenant's maximum is 3): its words, on the field.
      await dialog.locator("#parameter_replicas__error").filter({ hasText: "must be <= 3" }).waitFor();
      await assertAccessible(page, "deploy dialog with the service's violation");
      await screenshot(page, "deploy-dialog");
      await replicas.fill("2");
      await dialog.getByRole("button", { name: "Deploy", exact: true }).click();

      // The stack's page, live: the deploy validated and previewed, now waiting for approval.
      await page.waitForURL(`${url}/infrastructure/stacks/web`);
      const newest = page.locator("li.deployment").first();
      await newest.locator("h3 .badge", { hasText: "awaiting approval" }).waitFor({ timeout: 60_000 });
      // Her own deploy is not hers to approve: the service says so, in the inbox.
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Approvals" }).click();
      const own = page.locator("li.deployment").filter({ hasText: "deploy of web" });
      await own.getByRole("button", { name: "Approve" }).click();
      await own.getByRole("alert").filter({ hasText: "someone else must approve or reject it" }).waitFor();
      await page.goBack();
      await newest.locator("h3 .badge", { hasText: "awaiting approval" }).waitFor();

      // Another user approves, with a comment, having seen the plan.
      const inbox = approver.page;
      await inbox.goto(`${url}/infrastructure/approvals`);
      const item = inbox.locator("li.deployment").filter({ hasText: "deploy of web" });
      await item.getByRole("heading", { name: "deploy of web, version 1" }).waitFor();
      assert.match((await item.locator('[data-change="create"]').textContent()) ?? "", /1 to create/);
      assert.match((await item.locator("code.hash").textContent()) ?? "", /\S/);
      await assertAccessible(inbox, "approvals inbox");
      await item.getByLabel("Comment").fill("looks right");
      await item.getByRole("button", { name: "Approve" }).click();
      await inbox.getByText("Approved: the deploy of web.").waitFor();
      await inbox.getByText("Nothing awaits approval in this tenant.").waitFor();

      // Her page, open all along, follows the up to the end.
      await page
        .getByRole("heading", { level: 1 })
        .locator(".badge", { hasText: "deployed" })
        .waitFor({ timeout: 60_000 });
      assert.match((await newest.locator("h3").textContent()) ?? "", /deploy of version 1\s*succeeded/);
      assert.match((await newest.textContent()) ?? "", /approved by ada .*looks right/);
      assert.equal(await newest.locator('tr[data-step="up"] .badge').textContent(), "succeeded");
      const outputs = page.getByLabel("Outputs", { exact: true });
      assert.equal(await outputs.locator('[data-value="replicas"] dd').textContent(), "2");
      assert.doesNotMatch(await page.content(), /hunter2/);
      await assertAccessible(page, "stack page, deployed after approval");

      // The Tenant Admin destroys it.
      await inbox.goto(`${url}/infrastructure/stacks/web`);
      await inbox.getByRole("button", { name: "Destroy…" }).click();
      const confirm = inbox.getByRole("dialog", { name: "Destroy web?" });
      await confirm.getByLabel("Stack name").fill("web");
      await confirm.getByRole("button", { name: "Destroy", exact: true }).click();
      await inbox
        .getByRole("heading", { level: 1 })
        .locator(".badge", { hasText: "destroyed" })
        .waitFor({ timeout: 60_000 });

      // What the browsers logged: the refused deploy (400), the refused approval (403), the
      // destroyed stack's lookup by name (404); nothing else.
      assert.deepEqual(
        user.errors.filter((e) => !/status of (400|403)/.test(e)),
        [],
      );
      assert.deepEqual(
        approver.errors.filter((e) => !/status of 404/.test(e)),
        [],
      );
    } finally {
      await user.context.close();
      await approver.context.close();
    }
  });

  it("governance: a User reads the tenant's constraints; a Provider Admin changes one, the service's refusal shown on its field", async () => {
    const reader = await freshPage(browser, tokens.uma);
    try {
      await reader.page.goto(`${url}/infrastructure/governance`);
      const row = reader.page.locator('tr[data-template="counter"]');
      await row.filter({ hasText: "replicas ≤ 3" }).waitFor();
      assert.equal(await row.getByRole("button").count(), 0);
      assert.deepEqual(reader.errors, []);
    } finally {
      await reader.context.close();
    }

    await admin.governance.createUser({ name: "pat", providerAdmin: true });
    const pat = (await admin.governance.issueToken({ user: "pat", name: "console" })).token;
    const { context, page, errors } = await freshPage(browser, pat);
    try {
      await page.goto(`${url}/infrastructure/governance`);
      await page.getByRole("button", { name: "Edit the constraint on Counter" }).click();
      const dialog = page.getByRole("dialog", { name: "Constraint on Counter" });
      const replicas = dialog.locator('fieldset[data-parameter="replicas"]');
      assert.equal(await replicas.getByLabel("Maximum").inputValue(), "3");
      // A minimum over the maximum: the service refuses, on the field.
      await replicas.getByLabel("Minimum").fill("5");
      await dialog.getByRole("button", { name: "Save constraint" }).click();
      await replicas.locator(".field-error", { hasText: "is greater than maximum (3)" }).waitFor();
      assert.equal(await replicas.getByLabel("Minimum").getAttribute("aria-invalid"), "true");
      await assertAccessible(page, "constraint dialog with the service's refusal");
      await replicas.getByLabel("Minimum").fill("");
      await replicas.getByLabel("Maximum").fill("4");
      await dialog.getByLabel("Max instances (0 or empty: no limit)").fill("2");
      await dialog.getByRole("button", { name: "Save constraint" }).click();
      const row = page.locator('tr[data-template="counter"]');
      await row.filter({ hasText: "replicas ≤ 4" }).waitFor();
      assert.match((await row.textContent()) ?? "", /yes2replicas/);
      await assertAccessible(page, "governance page");
      await screenshot(page, "governance");
      const { constraints } = await admin.governance.listConstraints({ tenant: TENANT });
      assert.deepEqual(constraints[0]?.constraint, {
        allowed: true,
        maxInstances: 2,
        parameters: { replicas: { maximum: 4 } },
      });
      assert.deepEqual(
        errors.filter((e) => !/status of 400/.test(e)),
        [],
      );
    } finally {
      await context.close();
    }
  });
});
