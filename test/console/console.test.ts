import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createPlatformClient, type PlatformClient } from "../../src/jobs/api/client";
import { Language, Role, StackStatus } from "../../src/jobs/api/gen/stackwright/platform/v1/platform_pb";
import { type JobFixture, startJobFixture } from "../support/job-fixture";
import { TEST_TEMPLATE_INSTALLS } from "../support/platform-fixture";
import { assertAccessible, launchChromium } from "./browser";
import { freshPage as openPage } from "./session";

const SERVICE_TOKEN = "service-token-console-4b8e2d61f0a9";
const TENANT = "web-team";
/** The console keeps the token here (console/src/session/token-store.ts). */
const TOKEN_KEY = "stackwright.token";
/** Issue 16's benchmark: the templates page, cold cache, to interactive. */
const FIRST_LOAD_TARGET_MS = 1_000;

const source = {
  files: {
    "Pulumi.yaml":
      "name: greeter\nruntime: yaml\nconfig:\n  greeting:\n    type: string\noutputs:\n  message: ${greeting}\n",
  },
  dependencies: {},
  parameters: { type: "object", properties: { greeting: { type: "string", default: "hello" } } },
};

describe("the web console, in Chromium, against a real service", () => {
  let browser: Browser;
  let fx: JobFixture;
  let admin: PlatformClient;
  let url: string;
  let token: string;
  /** The stack the stacks page shows, deploying while the other pages are tested. */
  let deployed: Promise<void>;

  before(async () => {
    // First, so that a missing browser fails the file before anything slow starts.
    browser = await launchChromium();
    fx = await startJobFixture({
      stacks: {},
      settings: { templateInstallsDir: TEST_TEMPLATE_INSTALLS },
      server: { token: SERVICE_TOKEN },
    });
    url = fx.server.url as string;
    admin = createPlatformClient({ baseUrl: url, token: SERVICE_TOKEN, transport: "connect-json" });
    await admin.governance.createTenant({ name: TENANT, displayName: "Web team" });
    await admin.catalog.createTemplate({
      name: "greeter",
      displayName: "Greeter",
      description: "Says hello to the tenant",
      language: Language.YAML,
      source,
    });
    await admin.catalog.publishTemplate({ template: "greeter" });
    await admin.catalog.createTemplate({
      name: "notes",
      displayName: "Release notes",
      description: "A draft of the tenant's own",
      language: Language.YAML,
      ownerTenant: TENANT,
      source,
    });
    await admin.governance.createUser({ name: "web-user" });
    await admin.governance.setMembership({ tenant: TENANT, user: "web-user", role: Role.USER });
    token = (await admin.governance.issueToken({ user: "web-user", name: "console" })).token;
    deployed = deployStack("hello");
    deployed.catch(() => {});
  });
  after(async () => {
    await browser?.close();
    await fx?.close();
  });

  async function deployStack(name: string): Promise<void> {
    await admin.stacks.deployStack({ tenant: TENANT, name, template: "greeter" });
    const deadline = Date.now() + 180_000;
    for (;;) {
      const { status, error } = await admin.stacks.getStack({ tenant: TENANT, name });
      if (status === StackStatus.DEPLOYED) return;
      assert.notEqual(status, StackStatus.FAILED, error);
      assert.ok(Date.now() < deadline, `stack ${name} still ${StackStatus[status]} after 3 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** A page in a context of its own (an empty cache and sessionStorage), with its errors recorded. */
  const freshPage = () => openPage(browser);

  const row = (page: Page, name: string) => page.locator(`tr[data-template="${name}"]`);

  it("signs in, finds and filters the templates, opens the stacks page, all accessible", async () => {
    const { context, page, errors } = await freshPage();
    // The platform RPCs the pages call, by name.
    const rpcs: string[] = [];
    page.on("request", (request) => {
      const rpc = /^\/stackwright\.platform\.v1\.\w+\/(\w+)$/.exec(new URL(request.url()).pathname)?.[1];
      if (rpc !== undefined) rpcs.push(rpc);
    });
    try {
      await page.goto(`${url}/`);
      await page.waitForURL(`${url}/infrastructure/sign-in`);
      await page.getByRole("heading", { name: "Sign in to Stackwright" }).waitFor();
      await assertAccessible(page, "sign-in page");

      await page.getByLabel("API token").fill(token);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${url}/infrastructure/templates`);
      await page.getByRole("heading", { name: "Templates" }).waitFor();
      // Both templates, and what each has published: the list says it.
      await row(page, "greeter").getByRole("cell", { name: "v1" }).waitFor();
      await row(page, "notes").getByRole("cell", { name: "not yet" }).waitFor();
      assert.equal(await row(page, "greeter").locator(".primary").textContent(), "Greeter");
      assert.equal(await row(page, "greeter").locator(".secondary").textContent(), "greeter");
      await assertAccessible(page, "templates page, light");
      await page.emulateMedia({ colorScheme: "dark" });
      await assertAccessible(page, "templates page, dark");
      await page.emulateMedia({ colorScheme: "light" });

      const shown = async () => page.locator("tbody tr").evaluateAll((rows) => rows.length);
      await page.getByLabel("Search").fill("hello tenant");
      await page.getByText("1 of 2 templates shown.").waitFor();
      assert.equal(await row(page, "greeter").count(), 1);
      assert.match(page.url(), /[?&]q=hello\+tenant/);
      await page.getByLabel("Search").fill("");
      await page.getByLabel("Language").selectOption("typescript");
      await page.getByText("0 of 2 templates shown.").waitFor();
      assert.equal(await shown(), 0);
      await page.getByLabel("Language").selectOption("yaml");
      await page.getByText("2 of 2 templates shown.").waitFor();
      await page.getByLabel("Owner").selectOption("tenant");
      await page.getByText("1 of 2 templates shown.").waitFor();
      assert.equal(await row(page, "notes").count(), 1);
      await page.getByLabel("Owner").selectOption("platform");
      await page.getByText("1 of 2 templates shown.").waitFor();
      assert.equal(await row(page, "greeter").count(), 1);
      await page.getByLabel("Owner").selectOption("all");
      await page.getByText("2 of 2 templates shown.").waitFor();
      await page.getByLabel("Published").selectOption("published");
      await page.getByText("1 of 2 templates shown.").waitFor();
      assert.equal(await row(page, "greeter").count(), 1);
      await page.getByLabel("Published").selectOption("unpublished");
      await page.getByText("1 of 2 templates shown.").waitFor();
      assert.equal(await row(page, "notes").count(), 1);
      // A reload keeps both the filter (in the URL) and the sign-in (in sessionStorage).
      await page.reload();
      await row(page, "notes").waitFor();
      await page.getByText("1 of 2 templates shown.").waitFor();
      assert.equal(await row(page, "greeter").count(), 0);
      assert.equal(await page.getByLabel("Published").inputValue(), "unpublished");
      assert.ok(rpcs.includes("ListTemplates"), rpcs.join(", "));
      assert.ok(
        !rpcs.includes("GetTemplate"),
        `the templates page asked for each template: ${rpcs.join(", ")}`,
      );

      await deployed;
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Stacks" }).click();
      await page.waitForURL(`${url}/infrastructure/stacks`);
      const stack = page.locator('tr[data-stack="hello"]');
      await stack.waitFor();
      assert.equal(await stack.locator(".badge").textContent(), "deployed");
      assert.match((await stack.textContent()) ?? "", /greeter v1/);
      await assertAccessible(page, "stacks page");

      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(`${url}/infrastructure/sign-in`);
      assert.equal(await page.evaluate(`sessionStorage.getItem(${JSON.stringify(TOKEN_KEY)})`), null);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it("refuses a wrong token with a clear message, and keeps nothing", async () => {
    const { context, page, errors } = await freshPage();
    try {
      await page.goto(`${url}/infrastructure/stacks`);
      await page.waitForURL(`${url}/infrastructure/sign-in`);
      // Shaped like a user's token, so that the service looks it up rather than the gate refusing it.
      await page.getByLabel("API token").fill(`${token.slice(0, -6)}zzzzzz`);
      await page.getByRole("button", { name: "Sign in" }).click();
      const alert = page.getByRole("alert");
      await alert.waitFor();
      assert.match(
        (await alert.textContent()) ?? "",
        /Sign-in failed\. The service did not accept this API token/,
      );
      assert.equal(page.url(), `${url}/infrastructure/sign-in`);
      assert.equal(await page.getByLabel("API token").getAttribute("aria-invalid"), "true");
      assert.equal(await page.evaluate(`sessionStorage.getItem(${JSON.stringify(TOKEN_KEY)})`), null);
      await assertAccessible(page, "sign-in page with its error");
      // The browser logs the refused call (401); nothing else may go wrong.
      assert.deepEqual(
        errors.filter((e) => !/status of 401/.test(e)),
        [],
      );
    } finally {
      await context.close();
    }
  });

  it("ends the session when the service refuses the token later: the next page asks to sign in again", async () => {
    const issued = await admin.governance.issueToken({ user: "web-user", name: "console-revoked" });
    const { context, page, errors } = await freshPage();
    try {
      await page.goto(`${url}/infrastructure/sign-in`);
      await page.getByLabel("API token").fill(issued.token);
      await page.getByRole("button", { name: "Sign in" }).click();
      await row(page, "greeter").waitFor();
      await admin.governance.revokeToken({ id: issued.info?.id ?? "" });
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Stacks" }).click();
      await page.waitForURL(`${url}/infrastructure/sign-in`);
      const notice = page.getByRole("status").filter({ hasText: "You were signed out." });
      await notice.waitFor();
      assert.match((await notice.textContent()) ?? "", /did not accept this API token/);
      assert.equal(await page.evaluate(`sessionStorage.getItem(${JSON.stringify(TOKEN_KEY)})`), null);
      // Signed in again, the user is back where they were going.
      await page.getByLabel("API token").fill(token);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${url}/infrastructure/stacks`);
      assert.deepEqual(
        errors.filter((e) => !/status of 401/.test(e)),
        [],
      );
    } finally {
      await context.close();
    }
  });

  it("opens the templates page, cold cache, interactive within the target", async (t) => {
    const { context, page, errors } = await freshPage();
    try {
      await context.addInitScript({
        content: `sessionStorage.setItem(${JSON.stringify(TOKEN_KEY)}, ${JSON.stringify(token)})`,
      });
      const started = Date.now();
      await page.goto(`${url}/infrastructure/templates`);
      // Interactive: the list is on screen and its search takes input. The time is the page's own,
      // from the start of navigation, read as soon as the test sees both (so a little late, never early).
      await row(page, "greeter").waitFor();
      assert.ok(await page.getByLabel("Search").isEnabled());
      const interactive = Number(await page.evaluate("performance.now()"));
      const wall = Date.now() - started;
      await row(page, "greeter").getByRole("cell", { name: "v1" }).waitFor();
      const complete = Date.now() - started;
      t.diagnostic(
        `templates page, cold cache: interactive ${Math.round(interactive)} ms after navigation start (target ≤ ${FIRST_LOAD_TARGET_MS} ms; ${wall} ms as the test saw it), published versions in at ${complete} ms`,
      );
      assert.ok(
        interactive <= FIRST_LOAD_TARGET_MS,
        `interactive after ${Math.round(interactive)} ms, over the ${FIRST_LOAD_TARGET_MS} ms target`,
      );
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
