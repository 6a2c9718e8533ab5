import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type { ProgramStackArgs } from "../../src/components/schema-types";
import { createIsolatedEngine, type IsolatedEngine } from "../support/isolated-engine";
import { REPO_ROOT, SAMPLE_COMPONENT_SCHEMA } from "../support/paths";
import { lastJsonLine } from "../support/runner-output";

const run = promisify(execFile);
const RUNNER = join(REPO_ROOT, "dist", "test", "fixtures", "program-stack", "preview.js");

/**
 * ProgramStack under the real engine, as an inline Automation API program: bad input fails
 * `pulumi preview` with the stages' messages, before any Kubernetes object is registered.
 */
describe("ProgramStack under the real engine", () => {
  let engine: IsolatedEngine;
  before(async () => {
    engine = await createIsolatedEngine();
  });
  after(async () => engine?.dispose());

  const previewError = async (
    args: Partial<ProgramStackArgs>,
    env: NodeJS.ProcessEnv = {},
  ): Promise<string> => {
    const full = {
      componentSchemaPath: SAMPLE_COMPONENT_SCHEMA,
      componentToken: "sample:index:Database",
      inputs: { engine: "postgres", size: 20, password: "pw" },
      backend: "s3://state",
      stack: "organization/dev",
      ...args,
    };
    const { stdout } = await run(
      process.execPath,
      [RUNNER, JSON.stringify(full), await mkdtemp(join(engine.dir, "ps-")), engine.backendUrl],
      { env: { ...engine.env, ...env } },
    );
    const result = lastJsonLine<{ error?: string }>(stdout);
    return result.error ?? "no error";
  };

  it("fails preview on a spec that fails the component's schema, with the stages' message", async () => {
    const message = await previewError({ inputs: { engine: "postgres", size: "ten", password: "pw" } });
    assert.match(message, /spec\.size: expected integer, got string "ten"/);
  });

  it("fails preview on a bad stack name and on a backend that is not one", async () => {
    assert.match(await previewError({ stack: "a/b/c/d" }), /stackName: expected 'stack', 'org\/stack'/);
    assert.match(await previewError({ backend: "ftp://x" }), /backend: scheme 'ftp' is not a Pulumi backend/);
  });

  it("refuses a too-short STACKWRIGHT_ACCESS_TOKEN without showing it", async () => {
    const message = await previewError({}, { STACKWRIGHT_ACCESS_TOKEN: "tiny-tok-9q" });
    assert.match(message, /environment variable STACKWRIGHT_ACCESS_TOKEN: is too short/);
    assert.ok(!message.includes("tiny-tok-9q"));
  });
});
