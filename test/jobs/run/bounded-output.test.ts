import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BoundedOutput } from "../../../src/jobs/run/bounded-output";

describe("bounded output", () => {
  it("bounds output to a head and a tail with a marker", () => {
    const out = new BoundedOutput(10, 20);
    out.append("0123456789");
    for (let i = 0; i < 10; i++) out.append(`line ${i}\n`);
    const text = out.toString();
    assert.ok(out.truncated);
    assert.ok(text.startsWith("0123456789\n[… "), text);
    assert.ok(text.endsWith("line 8\nline 9\n"), text);
    assert.ok(text.length < 80);
    const small = new BoundedOutput(10, 20);
    small.append("short");
    assert.equal(small.toString(), "short");
    assert.equal(small.truncated, false);
  });
});
