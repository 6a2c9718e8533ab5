import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createFileRegistry, type DescMessage, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  DeployCloudResourceRequestSchema,
  ListStackUpdatesRequestSchema,
} from "../../../src/jobs/api/gen/stackwright/jobs/v1/jobs_pb";
import { checkJsonEnums } from "../../../src/jobs/api/json-enum-check";
import { REPO_ROOT } from "../../support/paths";

const check = (schema: DescMessage, json: unknown) =>
  checkJsonEnums(schema, new TextEncoder().encode(JSON.stringify(json)));

function refusal(schema: DescMessage, json: unknown): string {
  try {
    check(schema, json);
  } catch (error) {
    assert.ok(error instanceof ConnectError);
    assert.equal(error.code, Code.InvalidArgument);
    return error.rawMessage;
  }
  assert.fail(`${JSON.stringify(json)} was not refused`);
}

describe("JSON enum check", () => {
  it("refuses a request's enum field that names no value of its enum, naming the field", () => {
    assert.match(
      refusal(ListStackUpdatesRequestSchema, { status: "done" }),
      /^status: expected one of JOB_STATUS_QUEUED, .*, JOB_STATUS_TIMED_OUT$/,
    );
    assert.match(
      refusal(DeployCloudResourceRequestSchema, { stack: "a/b/c", operation: "up" }),
      /^operation: expected one of OPERATION_PREVIEW, /,
    );
  });

  it("lets through known names, numbers, null, absent fields, a Struct's content and JSON that does not parse", () => {
    check(ListStackUpdatesRequestSchema, {
      status: "JOB_STATUS_SUCCEEDED",
      operation: "OPERATION_UNSPECIFIED",
    });
    // Numbers are the request reader's to judge (from-request.ts); null means the default.
    check(ListStackUpdatesRequestSchema, { status: 99, operation: null });
    check(ListStackUpdatesRequestSchema, {});
    check(DeployCloudResourceRequestSchema, {
      operation: "OPERATION_UP",
      spec: { status: "done", operation: ["apply"], nested: { status: "x" } },
    });
    checkJsonEnums(ListStackUpdatesRequestSchema, new TextEncoder().encode('{"status": "done"'));
    checkJsonEnums(ListStackUpdatesRequestSchema, Uint8Array.from([0xff, 0xfe]));
  });

  describe("in every shape a message can hold an enum", () => {
    let dir: string;
    let outer: DescMessage;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), "stackwright-enums-"));
      writeFileSync(
        join(dir, "shapes.proto"),
        `syntax = "proto3";
package shapes.v1;
enum Color {
  COLOR_UNSPECIFIED = 0;
  COLOR_RED = 1;
}
message Inner {
  Color color = 1;
}
message Outer {
  Color favorite_color = 1;
  repeated Color colors = 2;
  map<string, Color> color_by_name = 3;
  Inner inner = 4;
  repeated Inner inners = 5;
  map<string, Inner> inner_by_name = 6;
}
`,
      );
      const image = join(dir, "shapes.binpb");
      const buf = join(REPO_ROOT, "node_modules", ".bin", "buf");
      const built = spawnSync(buf, ["build", dir, "-o", image], { encoding: "utf8" });
      assert.equal(built.status, 0, built.stderr);
      const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(image)));
      const message = registry.getMessage("shapes.v1.Outer");
      assert.ok(message);
      outer = message;
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const expected = "expected one of COLOR_RED";

    it("checks singular, repeated and map fields, nested messages too, by JSON or proto name", () => {
      for (const [json, at] of [
        [{ favoriteColor: "BLUE" }, "favorite_color"],
        [{ favorite_color: "BLUE" }, "favorite_color"],
        [{ colors: ["COLOR_RED", "BLUE"] }, "colors"],
        [{ colorByName: { a: "COLOR_RED", b: "BLUE" } }, "color_by_name"],
        [{ inner: { color: "BLUE" } }, "inner.color"],
        [{ inners: [{}, { color: "BLUE" }] }, "inners.color"],
        [{ innerByName: { a: { color: "BLUE" } } }, "inner_by_name.color"],
      ] as const)
        assert.equal(refusal(outer, json), `${at}: ${expected}`, JSON.stringify(json));
    });

    it("lets the same shapes through with known names", () => {
      check(outer, {
        favoriteColor: "COLOR_RED",
        colors: ["COLOR_RED", 1],
        colorByName: { a: "COLOR_UNSPECIFIED" },
        inner: { color: "COLOR_RED" },
        inners: [{ color: "COLOR_RED" }],
        innerByName: { a: { color: "COLOR_RED" } },
      });
    });
  });
});
