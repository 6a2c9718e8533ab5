import assert from "node:assert/strict";
import { accessSync, constants, readFileSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";

/**
 * Debian's chromium-headless-shell, which the bootstrap installs and names in
 * STACKWRIGHT_CHROMIUM_BIN. A console test without it fails, never skips.
 */
export async function launchChromium(env: NodeJS.ProcessEnv = process.env): Promise<Browser> {
  const executablePath = env.STACKWRIGHT_CHROMIUM_BIN;
  if (!executablePath)
    throw new Error(
      "STACKWRIGHT_CHROMIUM_BIN is not set: run the tests with ./dev.sh test, whose bootstrap installs Debian's chromium-headless-shell",
    );
  try {
    accessSync(executablePath, constants.X_OK);
  } catch {
    throw new Error(
      `STACKWRIGHT_CHROMIUM_BIN names ${executablePath}, which is not an executable: reinstall Debian's chromium-headless-shell (./dev.sh test does)`,
    );
  }
  return chromium.launch({ executablePath });
}

/** An accessibility problem axe found, in a line a failing assertion can show. */
export interface Violation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: string[];
}

const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/**
 * axe-core's serious and critical violations of WCAG 2.x A/AA and its best practices on the
 * page as it is now. axe is put in through the debugging protocol, which the page's
 * Content-Security-Policy does not govern, so the page is tested exactly as it is served.
 */
export async function seriousViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate("typeof axe !== 'undefined'"))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate<Violation[]>(`
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } })
      .then((result) => result.violations.map((v) => ({
        id: v.id, impact: v.impact ?? null, help: v.help, targets: v.nodes.map((n) => String(n.target)),
      })))
  `);
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** Fails, naming the page's state `what`, when axe finds a serious or critical violation on it. */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  assert.deepEqual(await seriousViolations(page), [], `${what}: axe found serious or critical violations`);
}
