import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { REPO_ROOT } from "../support/paths";

/** The console keeps the token here (console/src/session/token-store.ts). */
export const TOKEN_KEY = "stackwright.token";

/** A page of its own (empty cache and sessionStorage), with its console errors recorded. */
export interface FreshPage {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly errors: string[];
}

/**
 * A fresh page, signed in with `token` when one is given: the token is put where the console keeps
 * it before any of its scripts run, so that pages can be opened directly.
 */
export async function freshPage(browser: Browser, token?: string): Promise<FreshPage> {
  const context = await browser.newContext();
  if (token !== undefined)
    await context.addInitScript({
      content: `sessionStorage.setItem(${JSON.stringify(TOKEN_KEY)}, ${JSON.stringify(token)})`,
    });
  const page = await context.newPage();
  const errors: string[] = [];
  // A script or style the Content-Security-Policy refused shows up here too.
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return { context, page, errors };
}

/**
 * Saves the page as docs/console/<name>.png when STACKWRIGHT_CONSOLE_SCREENSHOTS is set (to
 * refresh the pictures docs/console.md shows); otherwise nothing, so that a test run leaves the
 * work tree as it found it.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!process.env.STACKWRIGHT_CONSOLE_SCREENSHOTS) return;
  await page.screenshot({ path: join(REPO_ROOT, "docs", "console", `${name}.png`), fullPage: true });
}
