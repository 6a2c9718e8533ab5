import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  issueUserToken,
  looksLikeUserToken,
  readUserToken,
  sameHash,
} from "../../../src/jobs/secrets/user-tokens";

describe("user API tokens", () => {
  it("are issued random, recognised by their id, and stored only as the secret's hash", () => {
    const a = issueUserToken();
    const b = issueUserToken();
    assert.notEqual(a.token, b.token);
    assert.ok(looksLikeUserToken(a.token));
    assert.ok(!a.token.includes(a.secretHash) && !a.secretHash.includes(a.token.split("_")[2] as string));
    const read = readUserToken(a.token);
    assert.equal(read?.id, a.id);
    assert.ok(read !== undefined && sameHash(read.secretHash, a.secretHash));
  });

  it("never match with one character of the secret changed, and refuse what is not a token", () => {
    const { token, secretHash } = issueUserToken();
    const last = token.at(-1) === "A" ? "B" : "A";
    const altered = readUserToken(`${token.slice(0, -1)}${last}`);
    assert.ok(altered !== undefined && !sameHash(altered.secretHash, secretHash));
    for (const text of ["", "swt_", "swt_zz_abc", `${token}x`, "Bearer x"])
      assert.equal(readUserToken(text), undefined, text);
    assert.equal(sameHash("ab", "abcd"), false);
  });
});
