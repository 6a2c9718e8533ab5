import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RedactingLines, Redactor } from "../../../src/jobs/redaction/redactor";

describe("redaction", () => {
  it("replaces every secret value, the longest first, in text and in JSON values", () => {
    const redactor = new Redactor(["s3cr3t-value", "s3cr3t-value-longer", "ab"]);
    assert.equal(redactor.text("a s3cr3t-value-longer and s3cr3t-value; ab"), "a [secret] and [secret]; ab");
    assert.deepEqual(redactor.value({ m: ["x s3cr3t-value"], n: 1 }), { m: ["x [secret]"], n: 1 });
    assert.equal(
      new Redactor(["a.b*c"]).text("a.b*c axbxc"),
      "[secret] axbxc",
      "values are literal, not patterns",
    );
  });

  it("redacts a secret split across output chunks", () => {
    const kept: string[] = [];
    const lines = new RedactingLines(new Redactor(["token-12345678"]), (t) => kept.push(t));
    lines.write("first line\nvalue: token-1234");
    lines.write("5678 end\nlast");
    lines.flush();
    assert.equal(kept.join(""), "first line\nvalue: [secret] end\nlast");
  });
});
