import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkTemplateCode } from "../../../src/jobs/workspace/template-code-check";

describe("the TypeScript check's thread", () => {
  it("checks without holding up this thread: timers keep firing while the compiler works", async () => {
    let last = performance.now();
    let maxLag = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      maxLag = Math.max(maxLag, now - last);
      last = now;
    }, 5);
    const started = performance.now();
    const problems = await checkTemplateCode({
      language: "typescript",
      files: {
        "Pulumi.yaml": "name: t\nruntime: nodejs\n",
        "index.ts":
          'import * as pulumi from "@pulumi/pulumi";\nexport const n: number = new pulumi.Config().require("x");\n',
      },
      dependencies: {},
      parameters: { properties: { x: {} } },
    });
    const took = performance.now() - started;
    // Let the ticker run once more: a tick held up by the check is measured when it finally runs.
    await new Promise((resolve) => setTimeout(resolve, 30));
    clearInterval(ticker);
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.match(problems[0]?.at ?? "", /^files\/index\.ts:2:/);
    // On this thread the compiler would hold every timer for the whole check.
    assert.ok(
      maxLag < Math.max(250, took / 2),
      `timers waited ${Math.round(maxLag)} ms of a ${Math.round(took)} ms check`,
    );
  });
});
