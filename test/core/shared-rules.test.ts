import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { type Problem, StackwrightInputError } from "../../src/core/errors";
import { stackNameProblem } from "../../src/core/stack-options";
import { toListQuery } from "../../src/jobs/api/from-request";
import { ListStackUpdatesRequestSchema } from "../../src/jobs/api/gen/stackwright/jobs/v1/jobs_pb";
import { parseServiceConfig, type ServiceConfig } from "../../src/jobs/config/service-config";
import { JobServiceError, type ListQuery } from "../../src/jobs/domain/job-service";
import { StackJobService } from "../../src/jobs/service/stack-job-service";
import type { JobStore } from "../../src/jobs/store/job-store";
import { Workloads } from "../../src/jobs/workspace/workloads";
import { BACKEND_PLACEHOLDER, STACK_NAME_PLACEHOLDER } from "../../src/promise/promise";
import { readStackOptions } from "../../src/stages/stack-stage";
import { readSchema } from "../../src/stages/stage-io";

/**
 * The rules that the stages and the job service share live once, in src/core; these tests feed
 * both the same values and expect the same verdicts, so a copy that drifts shows here.
 */

function problemsOf(fn: () => unknown): readonly Problem[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof StackwrightInputError) return error.problems;
    throw error;
  }
  return [];
}

async function asyncProblemsOf(fn: () => Promise<unknown>): Promise<readonly Problem[]> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof StackwrightInputError) return error.problems;
    throw error;
  }
  return [];
}

/** The Stack stage's verdict: its backend and stack-name problems, by which of the two. */
function stageVerdict(backend: string, stackName: string): Verdict {
  const problems = problemsOf(() =>
    readStackOptions({ PULUMI_STACK_BACKEND: backend, PULUMI_STACK_NAME: stackName }),
  );
  return {
    backend: problems.find((p) => p.at === "PULUMI_STACK_BACKEND")?.message,
    stackName: problems.find((p) => p.at === "PULUMI_STACK_NAME")?.message,
  };
}

/** The service config's verdict on one stack of that name, on that backend. */
function serviceVerdict(backend: string, stackName: string): Verdict {
  const at = `stacks.${stackName}`;
  const problems = problemsOf(() =>
    parseServiceConfig(
      {
        workloads: { web: { project: "./web" } },
        stacks: { [stackName]: { workload: "web", backend, passphrase: { fromEnv: "PASSPHRASE" } } },
      },
      "/srv",
      {},
    ),
  );
  return {
    backend: problems.find((p) => p.at === `${at}.backend`)?.message,
    stackName: problems.find((p) => p.at === at)?.message,
  };
}

interface Verdict {
  readonly backend: string | undefined;
  readonly stackName: string | undefined;
}

/** [backend, stack name, refused fields]: names in full, the only kind the service takes. */
const STACK_CASES: readonly [string, string, readonly ("backend" | "stackName")[]][] = [
  ["https://api.pulumi.com", "acme/p/dev", []],
  ["https://api.pulumi.com", "organization/p/dev", []],
  ["http://pulumi.internal:8080", "acme/p/dev", []],
  ["file:///var/state", "organization/p/dev", []],
  ["s3://bucket", "organization/p/dev", []],
  ["postgres://db/state", "organization/p/dev", []],
  ["azblob://container", "organization/p.web/dev_1", []],
  ["s3://", "organization/p/dev", ["backend"]],
  ["s3://bucket?password=x", "organization/p/dev", ["backend"]],
  ["postgres://u:pw@db/x", "organization/p/dev", ["backend"]],
  ["ftp://state", "acme/p/dev", ["backend"]],
  ["not a url", "acme/p/dev", ["backend"]],
  ["s3://bucket", "acme/p/dev", ["stackName"]],
  ["S3://bucket", "acme/p/dev", ["stackName"]],
  ["file:///var/state", "acme/p/dev", ["stackName"]],
  ["https://api.pulumi.com", "-a/b/c", ["stackName"]],
  ["https://api.pulumi.com", "a/b/c/d", ["stackName"]],
  ["https://api.pulumi.com", "a/b /c", ["stackName"]],
  ["https://api.pulumi.com", `a/${"p".repeat(101)}/c`, ["stackName"]],
  ["s3://", "-a/b/c", ["backend", "stackName"]],
];

describe("one rule for backends and stack names: the Stack stage and the service config agree", () => {
  for (const [backend, stackName, refused] of STACK_CASES) {
    it(`${refused.length === 0 ? "accept" : `refuse ${refused.join(" and ")}:`} ${backend} ${stackName}`, () => {
      const stage = stageVerdict(backend, stackName);
      const service = serviceVerdict(backend, stackName);
      for (const verdict of [stage, service]) {
        assert.deepEqual(
          (["backend", "stackName"] as const).filter((field) => verdict[field] !== undefined),
          refused,
          JSON.stringify(verdict),
        );
      }
      assert.equal(service.backend, stage.backend);
      // The service names stacks in full, so its message asks for `org/project/stack` and suggests
      // only the full name; both are the one rule's message for what each caller knows.
      const backendContext = stage.backend === undefined ? { backend } : {};
      assert.equal(stage.stackName, stackNameProblem(stackName, backendContext));
      assert.equal(
        service.stackName,
        stackNameProblem(stackName, { ...backendContext, fullyQualified: true }),
      );
    });
  }

  it("the Stack stage refuses the placeholders of a generated Promise as placeholders", () => {
    const stage = problemsOf(() =>
      readStackOptions({
        PULUMI_STACK_BACKEND: BACKEND_PLACEHOLDER,
        PULUMI_STACK_NAME: STACK_NAME_PLACEHOLDER,
      }),
    );
    assert.deepEqual(
      stage.map((p) => p.at),
      ["PULUMI_STACK_BACKEND", "PULUMI_STACK_NAME"],
    );
    for (const p of stage) assert.match(p.message, /^still holds the placeholder from stackwright init/);
  });
});

describe("one page size: the job API and the job service agree", () => {
  // A store with no jobs: only reached once the page size is accepted.
  const store = { list: async () => [], get: async () => undefined } as unknown as JobStore;
  const service = new StackJobService(store, undefined as never, {} as ServiceConfig, undefined as never);

  async function verdict(list: () => Promise<unknown>): Promise<string | undefined> {
    try {
      await list();
      return undefined;
    } catch (error) {
      if (!(error instanceof JobServiceError)) throw error;
      assert.equal(error.field, "page_size");
      return error.message.replace(/^page_size: /, "");
    }
  }
  const throughApi = (pageSize: number) =>
    verdict(async () => service.list(toListQuery(create(ListStackUpdatesRequestSchema, { pageSize }))));
  const direct = (query: ListQuery) => verdict(() => service.list(query));

  for (const pageSize of [1, 20, 99, 100]) {
    it(`accept ${pageSize}`, async () => {
      assert.equal(await throughApi(pageSize), undefined);
      assert.equal(await direct({ pageSize }), undefined);
    });
  }
  for (const pageSize of [101, 1000, 2 ** 32 - 1]) {
    it(`refuse ${pageSize}`, async () => {
      const expected = "expected 1 to 100";
      assert.equal(await direct({ pageSize }), expected);
      // The API's 0 means "not set", and says so.
      assert.equal(await throughApi(pageSize), `${expected}, or 0 for the default`);
    });
  }
  it("0 through the API is the service's default; 0, negative and fractional sizes asked of the service are refused", async () => {
    assert.equal(await throughApi(0), undefined);
    assert.equal(await direct({}), undefined);
    for (const pageSize of [0, -1, 2.5]) assert.equal(await direct({ pageSize }), "expected 1 to 100");
  });
});

describe("one way to read a schema file: the stages and the service's component workloads agree", () => {
  const dir = mkdtempSync(join(tmpdir(), "stackwright-shared-rules-"));
  const broken = join(dir, "broken.json");
  writeFileSync(broken, "{not: [closed");
  const missing = join(dir, "missing.json");

  /** The service's problems with a component workload whose schema is at `path`. */
  function workloadProblems(path: string): readonly Problem[] {
    const config = parseServiceConfig(
      { workloads: { db: { component: { schema: path, spec: {} } } } },
      dir,
      {},
    );
    return problemsOf(() => new Workloads(config));
  }

  for (const [what, path] of [
    ["a missing file", missing],
    ["a file that is not JSON or YAML", broken],
  ] as const) {
    it(what, async () => {
      const stage = await asyncProblemsOf(() => readSchema(path));
      const service = workloadProblems(path);
      assert.equal(stage.length, 1);
      assert.equal(service.length, 1);
      assert.equal(service[0]?.message, stage[0]?.message);
      // Each names the setting that gave the path.
      assert.match(stage[0]?.at ?? "", /^PULUMI_SCHEMA_SOURCE/);
      assert.match(service[0]?.at ?? "", /^workloads\.db\.component\.schema/);
    });
  }
});
