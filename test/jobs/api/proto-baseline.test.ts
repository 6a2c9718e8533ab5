import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { REPO_ROOT } from "../../support/paths";

const BUF = join(REPO_ROOT, "node_modules", ".bin", "buf");
const BASELINE = join(REPO_ROOT, "proto", "baseline", "jobs-v1.binpb");
const JOBS_PROTO = join("stackwright", "jobs", "v1", "jobs.proto");

/** `buf breaking` of a proto/ directory against the committed baseline, as `npm run lint` runs it. */
function breaking(protoDir: string): { status: number | null; rules: string[]; output: string } {
  const run = spawnSync(BUF, ["breaking", protoDir, "--against", BASELINE, "--error-format=json"], {
    encoding: "utf8",
  });
  const rules = run.stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => (JSON.parse(line) as { type: string }).type);
  return { status: run.status, rules, output: run.stdout + run.stderr };
}

describe("the job API against its baseline (buf breaking)", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "stackwright-breaking-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A copy of proto/ with jobs.proto edited: each `[from, to]` must match once. */
  function changed(name: string, edits: readonly (readonly [string, string])[]): string {
    const copy = join(dir, name);
    cpSync(join(REPO_ROOT, "proto"), copy, { recursive: true });
    let text = readFileSync(join(copy, JOBS_PROTO), "utf8");
    for (const [from, to] of edits) {
      assert.equal(text.split(from).length, 2, `${name}: ${JSON.stringify(from)} is not in jobs.proto once`);
      text = text.replace(from, to);
    }
    writeFileSync(join(copy, JOBS_PROTO), text);
    return copy;
  }

  it("holds proto/ as it stands", () => {
    const result = breaking(join(REPO_ROOT, "proto"));
    assert.equal(result.status, 0, result.output);
  });

  for (const [what, edits, rule] of [
    [
      "a field removed",
      [["  string workload = 3;\n  Operation operation = 4;", "  Operation operation = 4;"]],
      "FIELD_NO_DELETE",
    ],
    [
      "an enum value renumbered",
      [["JOB_STATUS_QUEUED = 1;", "JOB_STATUS_QUEUED = 7;"]],
      "ENUM_VALUE_NO_DELETE",
    ],
    ["a field's type changed", [["  uint32 attempt = 9;", "  int64 attempt = 9;"]], "FIELD_SAME_TYPE"],
    ["a field renamed", [["  bool output_truncated = 14;", "  bool truncated = 14;"]], "FIELD_SAME_NAME"],
  ] as const)
    it(`fails for ${what}, naming the rule`, () => {
      const result = breaking(changed(rule, edits));
      // 100: buf found problems in the input, as opposed to failing to run.
      assert.equal(result.status, 100, result.output);
      assert.ok(
        result.rules.includes(rule),
        `${rule} not among ${result.rules.join(", ")}: ${result.output}`,
      );
    });

  it("passes an additive change: a field, an enum value, a message and an RPC", () => {
    const result = breaking(
      changed("additive", [
        [
          "  google.protobuf.Struct spec = 17;\n}",
          "  google.protobuf.Struct spec = 17;\n  string note = 18;\n}",
        ],
        ["  JOB_STATUS_TIMED_OUT = 6;\n", "  JOB_STATUS_TIMED_OUT = 6;\n  JOB_STATUS_PAUSED = 7;\n"],
        [
          "  rpc WatchStackUpdate(",
          "  rpc RetryStackUpdate(RetryStackUpdateRequest) returns (StackUpdate);\n  rpc WatchStackUpdate(",
        ],
        [
          "// One job: a Pulumi operation",
          "message RetryStackUpdateRequest {\n  string id = 1;\n}\n\n// One job: a Pulumi operation",
        ],
      ]),
    );
    assert.equal(result.status, 0, result.output);
    assert.deepEqual(result.rules, []);
  });
});
