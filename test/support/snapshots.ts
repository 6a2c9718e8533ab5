import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Compares text with a committed snapshot file. With UPDATE_SNAPSHOTS=1 the snapshot is
 * rewritten instead (review the diff before committing). A missing snapshot fails the test.
 */
export function assertMatchesSnapshot(actual: string, snapshotPath: string): void {
  if (process.env.UPDATE_SNAPSHOTS === "1") {
    mkdirSync(dirname(snapshotPath), { recursive: true });
    writeFileSync(snapshotPath, actual);
    return;
  }
  assert.ok(
    existsSync(snapshotPath),
    `no snapshot at ${snapshotPath}; run with UPDATE_SNAPSHOTS=1 and review it`,
  );
  assert.equal(actual, readFileSync(snapshotPath, "utf8"), `output differs from ${snapshotPath}`);
}
