import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { REPO_ROOT } from "../support/paths";

const BUILD = join(REPO_ROOT, "dist", "console");

/**
 * What the first page may cost: the JavaScript index.html loads before anything shows, gzipped.
 * It holds React, the router, protobuf-es with the API's descriptors, Connect and the pages
 * (about 126 KiB when this was set); the heavy parts to come (Monaco, the JSON-Schema form) are
 * to be loaded lazily, in chunks of their own, outside this budget.
 */
const INITIAL_JS_GZIP_BUDGET = 140 * 1024;

/** The URLs index.html loads: its module scripts, the modules it preloads, and its stylesheets. */
function initialAssets(html: string): { scripts: string[]; styles: string[] } {
  const attribute = (tag: string, name: string) => tag.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];
  const tags = html.match(/<(script|link)\b[^>]*>/g) ?? [];
  const scripts: string[] = [];
  const styles: string[] = [];
  for (const tag of tags) {
    const rel = attribute(tag, "rel");
    if (tag.startsWith("<script")) scripts.push(attribute(tag, "src") ?? "(inline script)");
    else if (rel === "modulepreload") scripts.push(attribute(tag, "href") ?? "");
    else if (rel === "stylesheet") styles.push(attribute(tag, "href") ?? "");
  }
  return { scripts, styles };
}

describe("the console's build", () => {
  const html = readFileSync(join(BUILD, "index.html"), "utf8");
  const { scripts, styles } = initialAssets(html);

  it("loads everything from its own origin: no CDN, no inline script", () => {
    assert.ok(scripts.length > 0, "index.html loads no script");
    for (const url of [...scripts, ...styles]) assert.match(url, /^\/assets\/[\w.-]+$/, url);
    assert.doesNotMatch(html, /https?:\/\//);
  });

  it(`keeps the initial JavaScript within ${INITIAL_JS_GZIP_BUDGET / 1024} KiB gzipped`, (t) => {
    const sizes = scripts.map((url) => {
      const bytes = readFileSync(join(BUILD, url));
      return { url, raw: bytes.length, gzip: gzipSync(bytes).length };
    });
    const total = sizes.reduce((sum, s) => sum + s.gzip, 0);
    t.diagnostic(
      `initial JavaScript: ${(total / 1024).toFixed(1)} KiB gzipped (budget ${INITIAL_JS_GZIP_BUDGET / 1024} KiB): ${sizes
        .map((s) => `${s.url} ${(s.raw / 1024).toFixed(1)} KiB, ${(s.gzip / 1024).toFixed(1)} KiB gzipped`)
        .join("; ")}`,
    );
    assert.ok(
      total <= INITIAL_JS_GZIP_BUDGET,
      `the initial JavaScript is ${total} bytes gzipped, over the budget of ${INITIAL_JS_GZIP_BUDGET}: load the new weight lazily (import())`,
    );
  });
});
