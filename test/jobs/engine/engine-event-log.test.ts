import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { EventLogTail } from "../../../src/jobs/engine/engine-event-log";

const line = (sequence: number, op: string) =>
  `${JSON.stringify({ sequence, timestamp: 0, resourcePreEvent: { metadata: { op, urn: `u${sequence}` } } })}\n`;
const settle = () => new Promise((r) => setTimeout(r, 100));

describe("the engine's event log, followed", () => {
  it("follows a log the CLI truncates and rewrites (an up's preview, then its update), every event once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stackwright-event-log-"));
    const file = join(dir, "events.jsonl");
    const seen: string[] = [];
    const tail = new EventLogTail(
      file,
      (event: EngineEvent) => seen.push(`${event.sequence}:${event.resourcePreEvent?.metadata.op}`),
      10,
    );
    try {
      // The preview's log is longer than the update's: read on from the old offset, the update
      // would be missed whole.
      writeFileSync(file, line(0, "same") + line(1, "same") + line(2, "update"));
      await settle();
      writeFileSync(file, line(0, "update"));
      await settle();
      appendFileSync(file, line(1, "same"));
    } finally {
      tail.close();
      rmSync(dir, { recursive: true, force: true });
    }
    assert.deepEqual(seen, ["0:same", "1:same", "2:update", "0:update", "1:same"]);
  });
});
