import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { buildProgram, buildStack, prepareComponent } from "../../src/core/manifests";
import { parsePackageSchema } from "../../src/core/package-schema";
import { backendProblem, checkStackOptions, stackNameProblem } from "../../src/core/stack-options";
import { parseServiceConfig } from "../../src/jobs/config/service-config";
import { databaseRequest, problemsOf } from "../support/core-fixtures";
import { SAMPLE_COMPONENT_SCHEMA } from "../support/paths";

const sample = parsePackageSchema(readFileSync(SAMPLE_COMPONENT_SCHEMA, "utf8"), "sample-schema.json");
const database = prepareComponent(sample, "sample:index:Database");
describe("backends and stack names", () => {
  it("refuses credentials in a backend URL without echoing them", () => {
    for (const backend of [
      "postgres://u:hunter2canary@db/state",
      "s3://hunter2canary@bucket",
      "postgres://db/state?password=hunter2canary",
    ]) {
      const problem = backendProblem(backend) as string;
      assert.match(problem, /^must not carry credentials .*Secret/);
      assert.ok(!problem.includes("hunter2canary"));
    }
    const malformed = backendProblem("postgres://u:hunter2canary@db:port/x") as string;
    assert.match(malformed, /^expected a backend URL/);
    assert.ok(!malformed.includes("hunter2canary"));
  });

  it("accepts only 'organization' as the org of a DIY backend", () => {
    for (const backend of [
      "file:///state",
      "s3://b",
      "S3://b",
      "azblob://c",
      "gs://b",
      "postgres://db/state",
    ]) {
      assert.equal(stackNameProblem("organization/dev", { backend }), undefined);
      assert.equal(stackNameProblem("dev", { backend }), undefined);
      assert.equal(
        stackNameProblem("acme/dev", { backend }),
        `a DIY backend (${backend.split(":")[0]?.toLowerCase()}://) has no organization but 'organization': use 'organization/dev' or just 'dev'`,
      );
    }
    assert.equal(stackNameProblem("acme/dev", { backend: "https://api.pulumi.com" }), undefined);
  });

  it("accepts a project only when it is the Program's name", () => {
    assert.equal(stackNameProblem("acme/orders-1234abcd/dev", { project: "orders-1234abcd" }), undefined);
    assert.equal(
      stackNameProblem("acme/db/dev", { backend: "https://api.pulumi.com", project: "orders-1234abcd" }),
      "the program runs as project 'orders-1234abcd' (PKO names the project after the Program), so a stack of project 'db' could never be selected: use 'acme/orders-1234abcd/dev' or just 'dev'",
    );
    assert.equal(
      stackNameProblem("acme/db/dev", { backend: "s3://b", project: "orders-1234abcd" }),
      "a DIY backend (s3://) has no organization but 'organization'; and the program runs as project 'orders-1234abcd' (PKO names the project after the Program), so a stack of project 'db' could never be selected: use 'organization/orders-1234abcd/dev' or just 'dev'",
    );
  });

  it("names stacks in full where required, with the same syntax", () => {
    assert.match(
      stackNameProblem("dev", { fullyQualified: true }) as string,
      /^expected 'org\/project\/stack'/,
    );
    assert.match(
      stackNameProblem("-a/b/c", { fullyQualified: true }) as string,
      /^expected 'org\/project\/stack'/,
    );
    assert.equal(
      stackNameProblem("acme/web/dev", { fullyQualified: true, backend: "file:///x" }),
      "a DIY backend (file://) has no organization but 'organization': use 'organization/web/dev'",
    );
  });

  it("is the job service configuration's rule too (issue 13: it accepted s3:// and -a/b/c)", () => {
    const stack = (name: string, backend?: string) =>
      problemsOf(() =>
        parseServiceConfig(
          {
            workloads: { web: { project: "./web" } },
            stacks: {
              [name]: { workload: "web", passphrase: { fromEnv: "P" }, ...(backend && { backend }) },
            },
          },
          "/srv",
          {},
        ),
      );
    assert.deepEqual(stack("-a/b/c", "s3://"), [
      `stacks.-a/b/c: expected 'org/project/stack', each part letters, digits, '-', '_' or '.', got "-a/b/c"`,
      "stacks.-a/b/c.backend: a s3:// backend URL needs a host or bucket",
    ]);
    assert.deepEqual(stack("acme/web/dev"), [
      "stacks.acme/web/dev: a DIY backend (file://) has no organization but 'organization': use 'organization/web/dev'",
    ]);
    const [credentials] = stack("organization/web/dev", "postgres://u:hunter2canary@db/state");
    assert.match(
      credentials as string,
      /^stacks\.organization\/web\/dev\.backend: must not carry credentials/,
    );
    assert.ok(!(credentials as string).includes("hunter2canary"));
  });

  it("checks the stack against the request's Program in buildStack, naming the caller's fields", () => {
    const req = databaseRequest({ engine: "postgres", size: 1 });
    const program = buildProgram(database, req).metadata.name;
    assert.equal(
      buildStack(database, req, { backend: "s3://b", stackName: `organization/${program}/dev` }).spec.stack,
      `organization/${program}/dev`,
    );
    assert.deepEqual(
      problemsOf(() =>
        checkStackOptions({ backend: "s3://b", stackName: "acme/db/dev" }, program, {
          backend: "B",
          stackName: "S",
        }),
      ).map((m) => m.split(":")[0]),
      ["S"],
    );
    assert.match(
      problemsOf(() =>
        buildStack(database, req, { backend: "https://api.pulumi.com", stackName: "acme/db/dev" }),
      )[0] as string,
      new RegExp(`^stackName: the program runs as project '${program}'`),
    );
  });
});
