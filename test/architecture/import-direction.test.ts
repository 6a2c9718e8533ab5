import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, describe, it } from "node:test";

const repo = resolve(__dirname, "../../..");
const depcruise = join(repo, "node_modules/.bin/depcruise");

/**
 * Runs the repository's import rules (.dependency-cruiser.cjs) over a small tree of modules
 * written for the test, and returns what the tool printed and how it exited.
 */
function cruise(files: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "sw-imports-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(repo, ".dependency-cruiser.cjs"), join(dir, ".dependency-cruiser.cjs"));
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { module: "node16", strict: true } }),
  );
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const run = spawnSync(
    depcruise,
    ["src", "provider", "--config", ".dependency-cruiser.cjs", "--output-type", "err"],
    {
      cwd: dir,
      encoding: "utf8",
    },
  );
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
const cleanups: (() => void)[] = [];
after(() => {
  for (const c of cleanups) c();
});

describe("import direction", () => {
  it("passes imports that go down the layers", () => {
    const result = cruise({
      "src/core/rule.ts": "export const rule = 1;\n",
      "src/jobs/domain/job.ts": 'import { rule } from "../../core/rule";\nexport const job = rule;\n',
      "src/jobs/store/job-store.ts": 'import { job } from "../domain/job";\nexport const store = job;\n',
      "src/jobs/api/routes.ts": 'import { job } from "../domain/job";\nexport const routes = job;\n',
      "provider/index.ts": "export const p = 1;\n",
    });
    assert.equal(result.status, 0, result.output);
  });

  it("fails the API importing the store, naming the rule", () => {
    const result = cruise({
      "src/jobs/store/job-store.ts": "export const store = 1;\n",
      "src/jobs/api/routes.ts": 'import { store } from "../store/job-store";\nexport const routes = store;\n',
      "provider/index.ts": "export const p = 1;\n",
    });
    assert.notEqual(result.status, 0);
    assert.match(result.output, /jobs-api-imports-only-domain-config-secrets-transport/);
    assert.match(result.output, /src\/jobs\/api\/routes\.ts/);
  });

  it("lets the Temporal layer import the configuration, and fails it importing the store", () => {
    const result = cruise({
      "src/jobs/config/service-config.ts": "export const config = 1;\n",
      "src/jobs/store/job-store.ts": "export const store = 1;\n",
      "src/jobs/temporal/endpoint.ts":
        'import { config } from "../config/service-config";\nimport { store } from "../store/job-store";\nexport const endpoint = config + store;\n',
      "provider/index.ts": "export const p = 1;\n",
    });
    assert.notEqual(result.status, 0);
    assert.match(result.output, /jobs-temporal-imports-only-domain-config/);
    assert.match(result.output, /src\/jobs\/temporal\/endpoint\.ts → src\/jobs\/store\/job-store\.ts/);
    assert.doesNotMatch(result.output, /→ src\/jobs\/config\//);
  });

  it("lets the runner use the state store, and fails the state store importing the runner", () => {
    const result = cruise({
      "src/jobs/store/sealed-secret-store.ts": "export const sealed = 1;\n",
      "src/jobs/state-store/state-store.ts":
        'import { sealed } from "../store/sealed-secret-store";\nimport { run } from "../run/run-job";\nexport const state = sealed + run;\n',
      "src/jobs/run/job-targets.ts":
        'import { state } from "../state-store/state-store";\nexport const targets = state;\n',
      "src/jobs/run/run-job.ts": "export const run = 1;\n",
      "provider/index.ts": "export const p = 1;\n",
    });
    assert.notEqual(result.status, 0);
    assert.match(result.output, /jobs-state-store-imports-only-domain-config-store-secrets-workspace/);
    assert.match(result.output, /src\/jobs\/state-store\/state-store\.ts → src\/jobs\/run\/run-job\.ts/);
    assert.doesNotMatch(result.output, /→ src\/jobs\/store\//);
    assert.doesNotMatch(result.output, /src\/jobs\/run\/job-targets\.ts →/);
  });

  it("fails the core importing a product, and shipped code importing a test", () => {
    const result = cruise({
      "src/jobs/domain/job.ts": "export const job = 1;\n",
      "src/core/rule.ts": 'import { job } from "../jobs/domain/job";\nexport const rule = job;\n',
      "src/components/c.ts":
        'import { helper } from "../../test/support/helper";\nexport const c = helper;\n',
      "test/support/helper.ts": "export const helper = 1;\n",
      "provider/index.ts": "export const p = 1;\n",
    });
    assert.notEqual(result.status, 0);
    assert.match(result.output, /src-core-imports-only-itself/);
    assert.match(result.output, /shipped-code-imports-no-dev-tooling/);
  });

  it("fails a module of the job service outside a layer folder", () => {
    const result = cruise({
      "src/jobs/loose.ts": "export const loose = 1;\n",
      "src/jobs/run/run-job.ts": 'import { loose } from "../loose";\nexport const run = loose;\n',
      "provider/index.ts": "export const p = 1;\n",
    });
    assert.notEqual(result.status, 0);
    assert.match(result.output, /jobs-files-belong-to-a-layer/);
  });

  it("lets the CLI load the service by dynamic import only, so that commands other than serve start fast", () => {
    const service = {
      "src/jobs/start-job-server.ts":
        "export const startJobServer = () => 1;\nexport type JobServer = number;\n",
      "provider/index.ts": "export const p = 1;\n",
    };
    const lazy = cruise({
      ...service,
      "src/cli/serve.ts":
        'import type { JobServer } from "../jobs/start-job-server";\nexport const serve = async (): Promise<JobServer> => (await import("../jobs/start-job-server.js")).startJobServer();\n',
    });
    assert.equal(lazy.status, 0, lazy.output);
    const eager = cruise({
      ...service,
      "src/cli/serve.ts":
        'import { startJobServer } from "../jobs/start-job-server";\nexport const serve = startJobServer;\n',
    });
    assert.notEqual(eager.status, 0);
    assert.match(
      eager.output,
      /cli-loads-the-service-only-to-serve: src\/cli\/serve\.ts → src\/jobs\/start-job-server\.ts/,
    );
  });
});
