import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { stackOutputsOf } from "../../../src/jobs/run/stack-outputs";

/** A root-stack outputs event as the engine's event log writes it (Pulumi 3.259). */
function rootOutputs(
  outputs: Record<string, unknown>,
  planning = false,
  type = "pulumi:pulumi:Stack",
): EngineEvent {
  return {
    sequence: 9,
    timestamp: 0,
    resOutputsEvent: {
      planning,
      metadata: { op: "create", urn: `urn:pulumi:dev::p::${type}::p-dev`, type, new: { outputs } },
    },
  } as unknown as EngineEvent;
}

const SECRET = {
  "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
  ciphertext: "[secret]",
};

describe("a stack's outputs read from its update's events", () => {
  it("reads them as `stack output --json` prints them: every secret, however deep, as [secret]", () => {
    assert.deepEqual(
      stackOutputsOf(rootOutputs({ message: "hi", key: SECRET, nested: { list: [1, SECRET], n: null } })),
      { message: "hi", key: "[secret]", nested: { list: [1, "[secret]"], n: null } },
    );
  });

  it("ignores the preview an up runs first, other resources and other events", () => {
    assert.equal(stackOutputsOf(rootOutputs({ message: "planned" }, true)), undefined);
    assert.equal(stackOutputsOf(rootOutputs({ output: "x" }, false, "pulumi:index:Stash")), undefined);
    assert.equal(stackOutputsOf({ sequence: 1, timestamp: 0, cancelEvent: {} } as EngineEvent), undefined);
  });
});
