import { RE2JS } from "re2js";

/**
 * Patterns in templates and constraints come from tenants' and providers' admins, and are run
 * against every request: they are compiled with RE2 (through re2js), which matches in linear time,
 * so no pattern can stall the service (a backtracking engine takes exponential time on `(a+)+$`).
 * RE2 has no backreferences or lookaround; a pattern that uses them is refused when saved.
 */
export interface PatternTester {
  test(text: string): boolean;
  /** The pattern as a regular expression literal: Ajv tells compiled patterns apart by it. */
  toString(): string;
}

export function compilePattern(pattern: string): PatternTester {
  const compiled = RE2JS.compile(pattern);
  // JSON Schema's `pattern` matches anywhere in the string unless anchored, as RE2's find() does.
  return { test: (text) => compiled.matcher(text).find(), toString: () => `/${pattern}/` };
}

/** Why `pattern` cannot be used, or undefined when it can. */
export function patternError(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
