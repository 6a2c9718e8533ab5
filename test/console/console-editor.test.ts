import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import type { PlatformClient } from "../../src/jobs/api/client";
import { Language, Role } from "../../src/jobs/api/gen/stackwright/platform/v1/platform_pb";
import { assertAccessible, launchChromium } from "./browser";
import { type ConsoleService, startConsoleService, userToken } from "./service";
import { freshPage, screenshot } from "./session";

const SERVICE_TOKEN = "service-token-console-editor-5e02b7c4";
/** The page's background in each scheme (--bg in console/src/styles/theme.css). */
const LIGHT_BACKGROUND = "rgb(255, 255, 255)";
const DARK_BACKGROUND = "rgb(18, 21, 27)";
const TENANT = "shop";
const TEMPLATE = "web";

/** Version 1, published: index.ts uses helpers.ts. */
const V1 = {
  files: {
    "Pulumi.yaml": "name: web\nruntime: nodejs\n",
    "index.ts": [
      'import * as pulumi from "@pulumi/pulumi";',
      'import { greet } from "./helpers";',
      "",
      "const config = new pulumi.Config();",
      'export const greeting = greet(config.get("name") ?? "world");',
      "",
    ].join("\n"),
    "helpers.ts": "export function greet(name: string): string {\n  return `hello ${name}`;\n}\n",
  },
  dependencies: { "@pulumi/pulumi": "^3.0.0" },
  parameters: { type: "object", properties: { name: { type: "string" } } },
};

/** Version 2, a draft: helpers.ts renamed greet.ts, one line of index.ts changed, a newer SDK, a described parameter. */
const V2 = {
  files: {
    "Pulumi.yaml": V1.files["Pulumi.yaml"],
    "index.ts": V1.files["index.ts"]
      .replace('"./helpers"', '"./greet"')
      .replace('?? "world"', '?? "everyone"'),
    "greet.ts": V1.files["helpers.ts"],
  },
  dependencies: { "@pulumi/pulumi": "^3.100.0" },
  parameters: { type: "object", properties: { name: { type: "string", description: "Who to greet" } } },
};

/** The page's background colour as the browser computes it. */
function background(page: Page): Promise<string> {
  return page.evaluate<string>("getComputedStyle(document.documentElement).backgroundColor");
}

/** Every colour the theme defines (the custom properties of its :root rules), as computed now. */
function themeColours(page: Page): Promise<Record<string, string>> {
  return page.evaluate<Record<string, string>>(`(() => {
    const names = new Set();
    const collect = (rules) => {
      for (const rule of rules) {
        if (rule instanceof CSSGroupingRule) collect(rule.cssRules);
        else if (rule instanceof CSSStyleRule && rule.selectorText.startsWith(":root"))
          for (const name of rule.style) if (name.startsWith("--")) names.add(name);
      }
    };
    for (const sheet of document.styleSheets) collect(sheet.cssRules);
    const style = getComputedStyle(document.documentElement);
    return Object.fromEntries([...names].sort().map((name) => [name, style.getPropertyValue(name).trim()]));
  })()`);
}

describe("the template editor: a diff between versions, adding and removing files, the theme, in Chromium, against a real service", () => {
  let browser: Browser;
  let service: ConsoleService;
  let admin: PlatformClient;
  let url: string;
  let token: string;
  let editorUrl: string;

  before(async () => {
    browser = await launchChromium();
    service = await startConsoleService(SERVICE_TOKEN);
    ({ url, admin } = service);
    await admin.governance.createTenant({ name: TENANT });
    const created = await admin.catalog.createTemplate({
      name: TEMPLATE,
      displayName: "Web",
      language: Language.TYPESCRIPT,
      ownerTenant: TENANT,
      source: V1,
    });
    await admin.catalog.publishTemplate({ template: TEMPLATE });
    await admin.catalog.saveDraft({ template: TEMPLATE, source: V2 });
    token = await userToken(admin, TENANT, "ada", Role.TENANT_ADMIN);
    editorUrl = `${url}/infrastructure/templates/${created.template?.id}`;
  });
  after(async () => {
    await browser?.close();
    await service?.fx.close();
  });

  /** The draft's files as the service has them. */
  async function savedDraftFiles(): Promise<Record<string, string>> {
    const view = await admin.catalog.getTemplate({ template: TEMPLATE, tenant: TENANT });
    const draft = view.versions.find((v) => v.version === 2);
    assert.ok(draft, "no version 2");
    return { ...draft.source?.files };
  }

  /** Saves the draft in the page; once the service has saved it, its files as saved. */
  async function saveDraft(page: Page, wanted: (files: Record<string, string>) => boolean) {
    const saved = page.getByText("Draft v2 saved: the service found no problem.");
    await page.getByRole("button", { name: "Save draft" }).click();
    await saved.waitFor();
    const deadline = Date.now() + 10_000;
    for (;;) {
      const files = await savedDraftFiles();
      if (wanted(files) || Date.now() > deadline) return files;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it("shows what changed between two versions: files added, removed and changed, a changed line in Monaco's diff editor, the dependencies and the parameters' schema", async () => {
    const { context, page, errors } = await freshPage(browser, token);
    try {
      await page.goto(editorUrl);
      const compare = page.getByRole("region", { name: "Compare versions" });
      // The newest version and the one before it, at first.
      assert.equal(await compare.getByLabel("From", { exact: true }).inputValue(), "1");
      assert.equal(await compare.getByLabel("To", { exact: true }).inputValue(), "2");
      const files = compare.getByRole("list", { name: "Files changed" });
      await files.waitFor();
      const change = (path: string) => files.locator(`li[data-path="${path}"]`);
      assert.equal(await change("index.ts").getAttribute("data-change"), "changed");
      assert.equal(await change("greet.ts").getAttribute("data-change"), "added");
      assert.equal(await change("helpers.ts").getAttribute("data-change"), "removed");
      assert.equal(await change("Pulumi.yaml").count(), 0);
      await compare.getByText("1 changed, 1 added, 1 removed; 1 unchanged.").waitFor();

      // index.ts, in the diff editor: the changed line on each side, the new one marked inserted.
      await change("index.ts").getByRole("button", { name: "index.ts" }).click();
      const diff = compare.locator('.file-diff[data-path="index.ts"]');
      const modified = diff.locator(".editor.modified");
      const original = diff.locator(".editor.original");
      await modified.locator(".view-lines", { hasText: '?? "everyone"' }).waitFor();
      await original.locator(".view-lines", { hasText: '?? "world"' }).waitFor();
      await modified.locator(".line-insert, .char-insert").first().waitFor();
      await original.locator(".line-delete, .char-delete").first().waitFor();

      // The removed file: all of it on the old side, nothing on the new.
      await change("helpers.ts").getByRole("button", { name: "helpers.ts" }).click();
      await compare
        .locator('.file-diff[data-path="helpers.ts"] .editor.original .view-lines', { hasText: "hello" })
        .waitFor();

      // Nothing in Monaco but the file asked for: the schema's diff waits to be asked for too.
      assert.equal(await compare.locator(".file-diff").count(), 1);
      await compare.getByRole("button", { name: "Show the schema's diff" }).click();
      const dependency = compare.locator('tr[data-dependency="@pulumi/pulumi"]');
      assert.deepEqual(await dependency.locator("td").allTextContents(), ["changed", "^3.0.0", "^3.100.0"]);
      await compare
        .locator('.file-diff[data-path="parameters.json"] .editor.modified .view-lines', {
          hasText: "Who to greet",
        })
        .waitFor();

      // Two versions the other way round: greet.ts is then the one removed.
      await compare.getByLabel("From", { exact: true }).selectOption("2");
      await compare.getByLabel("To", { exact: true }).selectOption("1");
      assert.equal(await change("greet.ts").getAttribute("data-change"), "removed");
      await compare.getByLabel("To", { exact: true }).selectOption("2");
      await compare.getByText("Choose two different versions.").waitFor();
      await compare.getByLabel("From", { exact: true }).selectOption("1");
      await change("index.ts").getByRole("button", { name: "index.ts" }).click();
      await diff.locator(".editor.modified .line-insert, .editor.modified .char-insert").first().waitFor();
      await assertAccessible(page, "template editor, diff between versions");
      await screenshot(page, "template-diff");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it("adds a file to a draft (refusing an empty path and a duplicate), saves it, then removes it", async () => {
    const { context, page, errors } = await freshPage(browser, token);
    try {
      await page.goto(editorUrl);
      const fileList = page.getByRole("navigation", { name: "Files" });
      await fileList.getByRole("button", { name: "greet.ts", exact: true }).waitFor();
      const code = page.locator(".code-editor .view-lines");
      await code.filter({ hasText: "pulumi.Config()" }).waitFor();

      await fileList.getByRole("button", { name: "New file…" }).click();
      const dialog = page.getByRole("dialog", { name: "New file" });
      const pathInput = dialog.getByLabel("Path in the template");
      await dialog.getByRole("button", { name: "Add file" }).click();
      await dialog.locator(".field-error", { hasText: "Type the new file's path" }).waitFor();
      assert.equal(await pathInput.getAttribute("aria-invalid"), "true");
      await pathInput.fill("greet.ts");
      await dialog.getByRole("button", { name: "Add file" }).click();
      await dialog.locator(".field-error", { hasText: "The draft already has greet.ts." }).waitFor();
      await assertAccessible(page, "new file dialog with a refused path");
      await pathInput.fill("lib/extra.ts");
      await dialog.getByRole("button", { name: "Add file" }).click();
      await dialog.waitFor({ state: "detached" });

      // The new file is listed, shown, and empty: what is typed goes into it.
      const added = fileList.getByRole("button", { name: "lib/extra.ts", exact: true });
      assert.equal(await added.getAttribute("aria-current"), "true");
      await code.click();
      await page.keyboard.insertText("export const extra: number = 1;\n");
      await code.filter({ hasText: "export const extra" }).waitFor();
      const withExtra = await saveDraft(page, (files) => "lib/extra.ts" in files);
      assert.equal(withExtra["lib/extra.ts"], "export const extra: number = 1;\n");

      await fileList.getByRole("button", { name: "Remove lib/extra.ts…" }).click();
      const confirm = page.getByRole("dialog", { name: "Remove lib/extra.ts?" });
      await assertAccessible(page, "remove file dialog");
      await confirm.getByRole("button", { name: "Remove", exact: true }).click();
      await confirm.waitFor({ state: "detached" });
      assert.equal(await added.count(), 0);
      // Another file is shown in its place.
      await fileList.locator('button[aria-current="true"]').waitFor();
      const without = await saveDraft(page, (files) => !("lib/extra.ts" in files));
      assert.deepEqual(Object.keys(without).sort(), ["Pulumi.yaml", "greet.ts", "index.ts"]);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it("switches the theme in the header: the page and the editor follow, the choice is kept after a reload, and the system's scheme is followed again when asked", async () => {
    const { context, page, errors } = await freshPage(browser, token);
    try {
      await page.emulateMedia({ colorScheme: "light" });
      await page.goto(editorUrl);
      const theme = page.getByRole("banner").getByLabel("Theme");
      const editor = page.locator(".code-editor .monaco-editor");
      await editor.waitFor();
      assert.equal(await theme.inputValue(), "system");
      assert.equal(await background(page), LIGHT_BACKGROUND);
      assert.match((await editor.getAttribute("class")) ?? "", /\bvs\b/);

      await theme.selectOption("dark");
      assert.equal(await page.locator("html").getAttribute("data-theme"), "dark");
      assert.equal(await background(page), DARK_BACKGROUND);
      await page.locator(".code-editor .monaco-editor.vs-dark").waitFor();
      const chosenDark = await themeColours(page);
      await assertAccessible(page, "template editor, dark theme chosen");

      // Kept: after a reload, and in a light system, still dark.
      await page.reload();
      await page.locator(".code-editor .monaco-editor.vs-dark").waitFor();
      assert.equal(await theme.inputValue(), "dark");
      assert.equal(await background(page), DARK_BACKGROUND);

      // Light chosen in a dark system: light.
      await page.emulateMedia({ colorScheme: "dark" });
      await theme.selectOption("light");
      assert.equal(await background(page), LIGHT_BACKGROUND);
      await page.locator(".code-editor .monaco-editor.vs").waitFor();

      // The system's again: dark now, with every colour the dark choice gives, and light when the system turns light.
      await theme.selectOption("system");
      assert.equal(await page.locator("html").getAttribute("data-theme"), null);
      assert.equal(await background(page), DARK_BACKGROUND);
      assert.deepEqual(await themeColours(page), chosenDark);
      await page.locator(".code-editor .monaco-editor.vs-dark").waitFor();
      await page.emulateMedia({ colorScheme: "light" });
      assert.equal(await background(page), LIGHT_BACKGROUND);
      await page.locator(".code-editor .monaco-editor.vs").waitFor();
      assert.equal(await page.evaluate('localStorage.getItem("stackwright.theme")'), null);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
