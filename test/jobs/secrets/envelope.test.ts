import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { Envelope, SealedValueError } from "../../../src/jobs/secrets/envelope";

const secret = "correct horse battery staple";

describe("envelope encryption", () => {
  it("opens what it sealed for the same owner, and never shows the value sealed", () => {
    const envelope = new Envelope([randomBytes(32)]);
    const sealed = envelope.seal(secret, "stack-passphrase:s1");
    assert.ok(!sealed.includes(secret));
    assert.ok(!sealed.includes(Buffer.from(secret).toString("base64url")));
    assert.equal(envelope.open(sealed, "stack-passphrase:s1"), secret);
    assert.notEqual(
      envelope.seal(secret, "stack-passphrase:s1"),
      sealed,
      "every seal uses a fresh data key and IV",
    );
  });

  it("refuses a value moved to another owner, or altered anywhere", () => {
    const envelope = new Envelope([randomBytes(32)]);
    const sealed = envelope.seal(secret, "stack-passphrase:s1");
    assert.throws(() => envelope.open(sealed, "stack-passphrase:s2"), SealedValueError);
    const parts = sealed.split(".");
    for (const index of [2, 3]) {
      const bytes = Buffer.from(parts[index] as string, "base64url");
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
      const altered = parts.map((p, i) => (i === index ? bytes.toString("base64url") : p)).join(".");
      assert.throws(
        () => envelope.open(altered, "stack-passphrase:s1"),
        /altered, or sealed for another owner/,
      );
    }
    assert.throws(() => envelope.open("plain text", "stack-passphrase:s1"), /not a sealed value/);
  });

  it("opens values sealed with an older master key after rotation, and names a key it lacks", () => {
    const old = randomBytes(32);
    const sealedBefore = new Envelope([old]).seal(secret, "credential:t1/AWS_SECRET_ACCESS_KEY");
    const rotated = new Envelope([randomBytes(32), old]);
    assert.equal(rotated.open(sealedBefore, "credential:t1/AWS_SECRET_ACCESS_KEY"), secret);
    assert.equal(rotated.open(rotated.seal(secret, "c"), "c"), secret);
    const withoutOld = new Envelope([randomBytes(32)]);
    assert.throws(
      () => withoutOld.open(sealedBefore, "credential:t1/AWS_SECRET_ACCESS_KEY"),
      new RegExp(
        `master key ${new Envelope([old]).keyId}, which the service's configuration no longer holds`,
      ),
    );
  });

  it("takes only 32-byte master keys", () => {
    assert.throws(() => new Envelope([randomBytes(16)]), /32 bytes; this one is 16/);
    assert.throws(() => new Envelope([]), /at least one master key/);
  });
});
