import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EngineEvent, OpType, StepEventMetadata } from "@pulumi/pulumi/automation";
import { summarizeEvent } from "../../../src/jobs/run/event-summary";

const URN = "urn:pulumi:dev::shop::pulumi:index:Stash::sign";
const SECRET = "a-secret-value-3f9e1c";

/** A step's metadata as the engine's event log has it: the states carry values, secret ones too. */
function step(op: OpType, extra: Partial<StepEventMetadata> = {}): StepEventMetadata {
  const state = (input: string) => ({
    type: "pulumi:index:Stash",
    urn: URN,
    id: "1",
    parent: "",
    provider: "",
    inputs: { input },
    outputs: { output: input },
  });
  return {
    op,
    urn: URN,
    type: "pulumi:index:Stash",
    provider: "urn:pulumi:dev::shop::pulumi:providers:pulumi::default::1",
    old: state(`old-${SECRET}`),
    new: state(`new-${SECRET}`),
    ...extra,
  };
}

const pre = (metadata: StepEventMetadata): EngineEvent => ({
  sequence: 1,
  timestamp: 0,
  resourcePreEvent: { metadata, planning: true },
});

describe("summarizeEvent", () => {
  it("keeps a planned update's changed property names, never the values", () => {
    const recorded = summarizeEvent(pre(step("update", { diffs: ["input", "tags", "input"] })));
    assert.deepEqual(recorded, {
      kind: "resourcePreEvent",
      data: { urn: URN, type: "pulumi:index:Stash", op: "update", diffs: ["input", "tags"] },
    });
    assert.ok(!JSON.stringify(recorded).includes(SECRET), "a value reached the record");
  });

  it("gives every resourcePreEvent its diffs, empty when nothing changes", () => {
    for (const op of ["create", "same", "delete"] as const)
      assert.deepEqual(summarizeEvent(pre(step(op)))?.data, {
        urn: URN,
        type: "pulumi:index:Stash",
        op,
        diffs: [],
      });
  });

  it("names what forces a replacement on each of the replacement's steps, and only there", () => {
    for (const op of ["replace", "create-replacement", "delete-replaced"] as const)
      assert.deepEqual(summarizeEvent(pre(step(op, { diffs: ["input", "tags"], keys: ["input"] })))?.data, {
        urn: URN,
        type: "pulumi:index:Stash",
        op,
        diffs: ["input", "tags"],
        replaces: ["input"],
      });
    assert.deepEqual(summarizeEvent(pre(step("replace", { diffs: ["input"] })))?.data.replaces, []);
    assert.equal(
      summarizeEvent(pre(step("update", { diffs: ["input"], keys: ["input"] })))?.data.replaces,
      undefined,
      "an update is no replacement",
    );
  });

  it("records a finished step without its diffs, counted into the tally", () => {
    const tally = {};
    const recorded = summarizeEvent(
      { sequence: 2, timestamp: 0, resOutputsEvent: { metadata: step("update", { diffs: ["input"] }) } },
      tally,
    );
    assert.deepEqual(recorded, {
      kind: "resOutputsEvent",
      data: { urn: URN, type: "pulumi:index:Stash", op: "update" },
    });
    assert.deepEqual(tally, { update: 1 });
  });
});
