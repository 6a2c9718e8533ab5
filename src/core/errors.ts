/**
 * One problem with the caller's input: where it is (a field path, an environment variable, a
 * file) and what is expected there. Messages never quote a secret value.
 */
export interface Problem {
  /** A field path such as `spec.database.size`, or the name of an environment variable. */
  readonly at: string;
  readonly message: string;
}

/**
 * Raised for bad input. Carries every problem found, so a caller can fix them all at once; the
 * message lists them one per line, each starting with where it is.
 */
export class StackwrightInputError extends Error {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    super(problems.map((p) => `${p.at}: ${p.message}`).join("\n"));
    this.name = "StackwrightInputError";
    this.problems = problems;
  }

  static single(at: string, message: string): StackwrightInputError {
    return new StackwrightInputError([{ at, message }]);
  }
}
