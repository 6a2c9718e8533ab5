import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { baseName, isDns1123Label, objectNames } from "../../src/core/naming";

describe("naming contract", () => {
  const inputs = {
    namespace: "team-a",
    kind: "Database",
    name: "orders",
    componentToken: "sample:index:Database",
  };

  // The golden value was computed independently from the contract text (Python hashlib).
  it("is stable across releases (golden value)", () => {
    assert.equal(baseName(inputs), "orders-48852aad");
  });

  it("stays within 42 characters and DNS-1123 for long, unicode and empty-slug names", () => {
    for (const name of ["x".repeat(200), "ÜBER-größe 😀 ".repeat(5), "😀😀", "---", "9lives"]) {
      const base = baseName({ ...inputs, name });
      assert.ok(base.length <= 42 && isDns1123Label(base), base);
    }
    assert.match(baseName({ ...inputs, name: "😀" }), /^database-[0-9a-f]{8}$/);
  });

  it("separates requests whose slugs coincide", () => {
    const a = baseName({ ...inputs, name: "Orders" });
    const b = baseName({ ...inputs, name: "orders" });
    const c = baseName({ ...inputs, namespace: "team-b" });
    const d = baseName({ ...inputs, componentToken: "sample:index:Queue" });
    assert.equal(new Set([a, b, c, d]).size, 4);
  });

  it("names the secret after the base", () => {
    assert.deepEqual(objectNames(inputs), {
      program: "orders-48852aad",
      stack: "orders-48852aad",
      secret: "orders-48852aad-secrets",
    });
  });
});
