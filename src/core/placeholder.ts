/**
 * How `stackwright init` marks a value the operator must fill in. The generated Promise writes it,
 * its README names it, and the Stack stage recognises it and says so, rather than reporting a
 * malformed value: one prefix for all three.
 */
export const PLACEHOLDER_PREFIX = "FILL-IN:";

/** The placeholder for a value the operator must fill in: the prefix, then what goes there. */
export function placeholder(what: string): string {
  return `${PLACEHOLDER_PREFIX} ${what}`;
}
