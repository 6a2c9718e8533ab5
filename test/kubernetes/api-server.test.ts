import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { MAX_STACK_NAME_LENGTH } from "../../src/core/naming";
import { toYaml } from "../../src/core/yaml";
import { asApplied } from "../support/deployed-objects";
import type { LocalCluster } from "../support/local-cluster";
import { fixture } from "../support/paths";
import { testCluster } from "../support/test-cluster";
import { parse } from "../support/yaml";

/**
 * The real API server with the real PKO CRDs as the judge of what Stackwright emits: it accepts
 * every object the stages write for the corpus, unchanged (nothing pruned), and refuses what PKO
 * refuses.
 */
let cluster: LocalCluster;
before(async () => {
  cluster = await testCluster();
});
after(() => cluster?.stop());

const corpusDir = fixture("corpus");
const cases = readdirSync(corpusDir).filter((d) =>
  existsSync(join(corpusDir, d, "expected", "program.yaml")),
);

/** Creates `object` in `namespace` (its own namespace replaced) and returns what the server holds. */
async function createIn(namespace: string, object: Record<string, unknown>) {
  const metadata = { ...(object.metadata as Record<string, unknown>), namespace };
  const created = await cluster.kubectl(["create", "-f", "-", "-o", "json"], toYaml({ ...object, metadata }));
  return { ...created, object: created.code === 0 ? JSON.parse(created.stdout) : undefined, metadata };
}

describe("the API server with the PKO CRDs", () => {
  it("accepts every Program and Stack of the stage corpus as emitted, pruning nothing", async () => {
    assert.ok(cases.length >= 12, `only ${cases.length} corpus cases`);
    const namespace = await cluster.createNamespace("corpus");
    for (const name of cases) {
      for (const file of ["program.yaml", "stack.yaml"]) {
        const emitted = parse(readFileSync(join(corpusDir, name, "expected", file), "utf8"));
        const { code, stderr, object, metadata } = await createIn(namespace, emitted);
        assert.equal(code, 0, `${name}/${file}: ${stderr}`);
        assert.deepEqual(asApplied(object), { ...emitted, metadata }, `${name}/${file} came back changed`);
      }
    }
  });

  it("refuses a Stack whose name is longer than the CRD's 42 characters", async () => {
    const namespace = await cluster.createNamespace("long-name");
    const stack = {
      apiVersion: "pulumi.com/v1",
      kind: "Stack",
      metadata: { name: "s".repeat(MAX_STACK_NAME_LENGTH + 1) },
      spec: { stack: "dev", backend: "s3://state", programRef: { name: "p" } },
    };
    const refused = await createIn(namespace, stack);
    assert.notEqual(refused.code, 0, "the server accepted it");
    assert.match(refused.stderr, /42/);
    const accepted = await createIn(namespace, {
      ...stack,
      metadata: { name: "s".repeat(MAX_STACK_NAME_LENGTH) },
    });
    assert.equal(accepted.code, 0, accepted.stderr);
  });

  it("refuses a Program with a field the CRD does not know", async () => {
    const namespace = await cluster.createNamespace("unknown-field");
    const refused = await createIn(namespace, {
      apiVersion: "pulumi.com/v1",
      kind: "Program",
      metadata: { name: "p" },
      program: { resources: {}, notAField: true },
    });
    assert.notEqual(refused.code, 0, "the server accepted it");
    assert.match(refused.stderr, /notAField/);
  });
});
