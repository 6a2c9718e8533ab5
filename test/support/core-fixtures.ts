import assert from "node:assert/strict";
import { StackwrightInputError } from "../../src/core/errors";
import type { PackageSchema } from "../../src/core/package-schema";
import { parseResourceRequest, type ResourceRequest } from "../../src/core/request";

/**
 * A component whose `extra` input takes any value and whose `tags` is a map of strings, with one
 * secret input: what an attacker's request reaches most easily. Shared by the hardening and fuzz
 * tests.
 */
export const OPEN_COMPONENT_SCHEMA: PackageSchema = {
  name: "t",
  version: "1.0.0",
  resources: {
    "t:index:C": {
      isComponent: true,
      inputProperties: {
        extra: { $ref: "pulumi.json#/Any" },
        tags: { type: "object", additionalProperties: { type: "string" } },
        adminPassword: { type: "string", secret: true },
      },
      properties: { out: { type: "string" } },
    },
  },
};

/** A Database request of the sample component, in namespace team-a unless metadata says otherwise. */
export function databaseRequest(
  spec: unknown,
  metadata: Record<string, unknown> = { name: "orders", namespace: "team-a" },
): ResourceRequest {
  return parseResourceRequest({ apiVersion: "x/v1", kind: "Database", metadata, spec });
}

/** The problems `fn` throws as a StackwrightInputError, as `at: message` lines; fails otherwise. */
export function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof StackwrightInputError, String((error as Error)?.stack ?? error));
    return error.problems.map((p) => `${p.at}: ${p.message}`);
  }
  assert.fail("expected a StackwrightInputError");
}
