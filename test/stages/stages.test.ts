import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SAMPLE_COMPONENT_SCHEMA } from "../support/paths";
import { runStageProcess, type StageName, tempOutputDir } from "../support/stage-process";
import { parse } from "../support/yaml";

const scratch = mkdtempSync(join(tmpdir(), "stackwright-stages-"));
function file(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

const SAMPLE = SAMPLE_COMPONENT_SCHEMA;
const goodRequest = file(
  "request.yaml",
  "apiVersion: x/v1\nkind: Database\nmetadata: {name: orders, namespace: team-a}\nspec: {engine: postgres, size: 5}\n",
);

async function baseEnv(overrides: Record<string, string | undefined> = {}) {
  return {
    KRATIX_INPUT_FILE: goodRequest,
    KRATIX_OUTPUT_DIR: await tempOutputDir(),
    PULUMI_SCHEMA_SOURCE: SAMPLE,
    PULUMI_COMPONENT_TOKEN: "sample:index:Database",
    PULUMI_STACK_BACKEND: "https://api.pulumi.com",
    PULUMI_STACK_NAME: "acme/dev",
    ...overrides,
  };
}

/** Bad input: exit 1, exactly the expected problems on stderr (one per line), no file written. */
async function rejectedRun(
  stage: StageName,
  overrides: Record<string, string | undefined>,
  expected: RegExp[],
) {
  const run = await runStageProcess(stage, await baseEnv(overrides));
  assert.equal(run.code, 1, `exit code; stderr: ${run.stderr}`);
  const lines = run.stderr.trim().split("\n");
  assert.equal(lines.length, expected.length, run.stderr);
  expected.forEach((re, i) => {
    assert.match(lines[i] as string, re);
  });
  assert.deepEqual(Object.keys(run.files), [], "no output file on bad input");
  return run;
}

async function expectRejected(
  stage: StageName,
  overrides: Record<string, string | undefined>,
  expected: RegExp[],
): Promise<void> {
  await rejectedRun(stage, overrides, expected);
}

describe("stage entry points: bad input", () => {
  for (const stage of ["program-stage", "stack-stage"] as const) {
    describe(stage, () => {
      it("requires PULUMI_SCHEMA_SOURCE", () =>
        expectRejected(stage, { PULUMI_SCHEMA_SOURCE: undefined }, [
          /: error: PULUMI_SCHEMA_SOURCE: is required/,
        ]));
      it("refuses a non-https schema URL", () =>
        expectRejected(stage, { PULUMI_SCHEMA_SOURCE: "http://example.com/s.json" }, [
          /PULUMI_SCHEMA_SOURCE: must be a file path or an https:\/\/ URL/,
        ]));
      it("reports an unreadable schema source", () =>
        expectRejected(stage, { PULUMI_SCHEMA_SOURCE: join(scratch, "nope.json") }, [
          /PULUMI_SCHEMA_SOURCE: .*nope\.json does not exist/,
        ]));
      it("reports a malformed schema", () =>
        expectRejected(stage, { PULUMI_SCHEMA_SOURCE: file("bad.json", "{ nope") }, [
          /PULUMI_SCHEMA_SOURCE \(.*bad\.json\): is not valid JSON or YAML/,
        ]));
      it("reports a schema without components", () =>
        expectRejected(stage, { PULUMI_SCHEMA_SOURCE: file("empty.json", '{"name":"e","resources":{}}') }, [
          /schema: package 'e' has no component resource/,
        ]));
      it("reports an ambiguous component", () =>
        expectRejected(stage, { PULUMI_COMPONENT_TOKEN: undefined }, [
          /PULUMI_COMPONENT_TOKEN: package 'sample' has 2 components; set PULUMI_COMPONENT_TOKEN to one of/,
        ]));
      it("reports a missing input file", () =>
        expectRejected(stage, { KRATIX_INPUT_FILE: join(scratch, "absent.yaml") }, [
          /KRATIX_INPUT_FILE: .*absent\.yaml does not exist/,
        ]));
      it("reports a malformed input file", () =>
        expectRejected(stage, { KRATIX_INPUT_FILE: file("bad.yaml", "kind: [unclosed") }, [
          /KRATIX_INPUT_FILE: .*bad\.yaml is not valid YAML/,
        ]));
      it("reports a request without metadata.name and spec", () =>
        expectRejected(stage, { KRATIX_INPUT_FILE: file("noname.yaml", "kind: Database\nmetadata: {}\n") }, [
          /metadata\.name: is required/,
          /spec: is required/,
        ]));
      it("reports every spec problem with its path", () =>
        expectRejected(
          stage,
          {
            KRATIX_INPUT_FILE: file(
              "badspec.yaml",
              "kind: Database\nmetadata: {name: x}\nspec: {engine: postgres, size: ten}\n",
            ),
          },
          [/spec\.size: expected integer, got string "ten"$/],
        ));
      it("refuses a secret value in the request and never prints it", async () => {
        const run = await rejectedRun(
          stage,
          {
            KRATIX_INPUT_FILE: file(
              "secret.yaml",
              "kind: Database\nmetadata: {name: x}\nspec: {engine: mysql, size: 1, password: canary-9d1f}\n",
            ),
          },
          [/spec\.password: is a secret input and must not be in the request/],
        );
        assert.ok(!run.stderr.includes("canary-9d1f") && !run.stdout.includes("canary-9d1f"));
      });
      it("reports an output directory that does not exist", () =>
        expectRejected(stage, { KRATIX_OUTPUT_DIR: join(scratch, "missing-dir") }, [
          /KRATIX_OUTPUT_DIR: .*missing-dir does not exist/,
        ]));
      it("reports an output directory that cannot be written", () =>
        expectRejected(stage, { KRATIX_OUTPUT_DIR: join(goodRequest, "sub") }, [
          /KRATIX_OUTPUT_DIR: .* cannot be written \(ENOTDIR\)/,
        ]));
    });
  }
});

describe("stack stage: operator intent", () => {
  it("requires PULUMI_STACK_BACKEND and PULUMI_STACK_NAME before reading anything else", () =>
    expectRejected(
      "stack-stage",
      { PULUMI_STACK_BACKEND: undefined, PULUMI_STACK_NAME: "", KRATIX_INPUT_FILE: "/nonexistent" },
      [
        /stackwright-stack-stage: error: PULUMI_STACK_BACKEND: is required, e\.g\. https:\/\/api\.pulumi\.com/,
        /PULUMI_STACK_NAME: is required, e\.g\. dev, or acme\/dev on Pulumi Cloud, or organization\/dev on a DIY backend$/,
      ],
    ));
  it("validates the backend URL's scheme", () =>
    expectRejected("stack-stage", { PULUMI_STACK_BACKEND: "ftp://state" }, [
      /PULUMI_STACK_BACKEND: scheme 'ftp' is not a Pulumi backend/,
    ]));
  it("validates a backend that is not a URL", () =>
    expectRejected("stack-stage", { PULUMI_STACK_BACKEND: "not a url" }, [
      /PULUMI_STACK_BACKEND: expected a backend URL/,
    ]));
  it("validates the stack name", () =>
    expectRejected("stack-stage", { PULUMI_STACK_NAME: "acme/db/dev/extra" }, [
      /PULUMI_STACK_NAME: expected 'stack', 'org\/stack' or 'org\/project\/stack'/,
    ]));
  it("validates PULUMI_STACK_DESTROY_ON_FINALIZE", () =>
    expectRejected("stack-stage", { PULUMI_STACK_DESTROY_ON_FINALIZE: "yes" }, [
      /PULUMI_STACK_DESTROY_ON_FINALIZE: must be 'true' or 'false'/,
    ]));

  it("maps the optional variables to their Stack fields", async () => {
    const env = await baseEnv({
      PULUMI_STACK_SERVICE_ACCOUNT_NAME: "pulumi-runner",
      PULUMI_STACK_DESTROY_ON_FINALIZE: "true",
    });
    const run = await runStageProcess("stack-stage", env);
    assert.equal(run.code, 0, run.stderr);
    const stack = parse(run.files["stack.yaml"] as string);
    assert.equal(stack.spec.serviceAccountName, "pulumi-runner");
    assert.equal(stack.spec.destroyOnFinalize, true);
  });

  it("computes the Program's name itself: both stages agree without sharing anything", async () => {
    const env = await baseEnv();
    const stack = await runStageProcess("stack-stage", env);
    const program = await runStageProcess("program-stage", {
      ...env,
      KRATIX_OUTPUT_DIR: await tempOutputDir(),
    });
    assert.equal(
      parse(stack.files["stack.yaml"] as string).spec.programRef.name,
      parse(program.files["program.yaml"] as string).metadata.name,
    );
  });
});

describe("schema from an https:// URL", () => {
  let url = "";
  let caFile = "";
  const servers: ReturnType<typeof createServer>[] = [];
  before(async () => {
    const key = join(scratch, "key.pem");
    const cert = join(scratch, "cert.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
      ],
      { stdio: "ignore" },
    );
    caFile = cert;
    const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
      if (req.url === "/schema.json") res.end(readFileSync(SAMPLE));
      else {
        res.statusCode = 404;
        res.end();
      }
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    for (const s of servers) s.close();
  });

  it("reads the schema over https", async () => {
    const run = await runStageProcess("program-stage", {
      ...(await baseEnv({ PULUMI_SCHEMA_SOURCE: `${url}/schema.json` })),
      NODE_EXTRA_CA_CERTS: caFile,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.files["program.yaml"] as string, /type: sample:index:Database/);
  });

  it("reports an HTTP error status", async () => {
    const run = await runStageProcess("program-stage", {
      ...(await baseEnv({ PULUMI_SCHEMA_SOURCE: `${url}/missing.json` })),
      NODE_EXTRA_CA_CERTS: caFile,
    });
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /PULUMI_SCHEMA_SOURCE: fetching https:\/\/127\.0\.0\.1:\d+\/missing\.json answered HTTP 404/,
    );
    assert.deepEqual(run.files, {});
  });
});
