import { StackwrightInputError } from "./errors";

/**
 * How every Stackwright process ends (the two stages and `stackwright`): 0 when done, 1 for bad
 * input, 2 for anything else: an unexpected failure, or a command line that does not parse.
 */
export const EXIT_OK = 0;
export const EXIT_BAD_INPUT = 1;
export const EXIT_FAILURE = 2;

/** What a process prints on stderr for an error, and the code it then exits with. */
export interface ExitReport {
  readonly text: string;
  readonly exitCode: number;
}

/**
 * Bad input is one line per problem, `<program>: error: <at>: <message>`, so a caller can fix
 * them all at once; its messages come from StackwrightInputError, which never carries secret
 * values. Anything else is `<program>: internal error:` and its stack.
 */
export function exitReport(programName: string, error: unknown): ExitReport {
  if (error instanceof StackwrightInputError) {
    return {
      text: error.problems.map((p) => `${programName}: error: ${p.at}: ${p.message}\n`).join(""),
      exitCode: EXIT_BAD_INPUT,
    };
  }
  return {
    text: `${programName}: internal error: ${(error as Error)?.stack ?? String(error)}\n`,
    exitCode: EXIT_FAILURE,
  };
}
