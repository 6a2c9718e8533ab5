import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { databaseRequest, problemsOf } from "../support/core-fixtures";

describe("request metadata Kubernetes would refuse", () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      "a namespace over 63 characters",
      { name: "x", namespace: "n".repeat(64) },
      /^metadata\.namespace: must be a DNS-1123 label: at most 63/,
    ],
    [
      "an invalid label key",
      { name: "x", labels: { "-bad": "v" } },
      /^metadata\.labels\.-bad: the key's name must be/,
    ],
    [
      "a label key with a bad prefix",
      { name: "x", labels: { "Acme.io/a": "v" } },
      /^metadata\.labels\.Acme\.io\/a: the key's prefix/,
    ],
    [
      "a label value over 63 characters",
      { name: "x", labels: { a: "v".repeat(64) } },
      /^metadata\.labels\.a: a label value must be/,
    ],
    [
      "an invalid annotation key",
      { name: "x", annotations: { "a b": "v" } },
      /^metadata\.annotations\.a b: the key's name must be/,
    ],
    [
      "annotations over 256 KiB",
      { name: "x", annotations: { a: "v".repeat(256 * 1024) } },
      /^metadata\.annotations: take 262145 bytes together, more than the 262144/,
    ],
  ];
  for (const [name, metadata, expected] of cases) {
    it(`refuses ${name}`, () => {
      const messages = problemsOf(() => databaseRequest({}, metadata));
      assert.equal(messages.length, 1, messages.join("\n"));
      assert.match(messages[0] as string, expected);
    });
  }
});
