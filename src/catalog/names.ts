import type { Problem } from "../core/errors";

/**
 * Names of tenants, users, templates and tenant stacks: they appear in URLs, Pulumi stack names
 * and state paths, so they take the one form that is safe in all of them — a DNS label.
 */
const NAME = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** The problem with `name` at `at`, or undefined when it is a valid name. */
export function nameProblem(name: unknown, at: string): Problem | undefined {
  if (typeof name !== "string" || name === "") return { at, message: "is required" };
  if (!NAME.test(name))
    return {
      at,
      message: "expected lower-case letters, digits and '-', starting with a letter, at most 63 characters",
    };
  return undefined;
}
