import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pins from "../../versions.json";
import { createIsolatedEngine, type IsolatedEngine } from "../support/isolated-engine";

/** The bootstrap installs the Kubernetes provider plugin into the engine's PULUMI_HOME, offline. */
describe("the engine's plugins", () => {
  let engine: IsolatedEngine;
  before(async () => {
    engine = await createIsolatedEngine();
  });
  after(async () => engine?.dispose());

  it("include the pinned Kubernetes provider, as pulumi plugin ls shows it", async () => {
    const listed = await engine.pulumi(["plugin", "ls", "--json"]);
    assert.equal(listed.code, 0, listed.stderr);
    const plugins = JSON.parse(listed.stdout) as { name: string; kind: string; version: string }[];
    assert.deepEqual(
      plugins.filter((p) => p.name === "kubernetes").map((p) => `${p.kind} ${p.version}`),
      [`resource ${pins.kubernetes}`],
    );
  });
});
