import { StackwrightInputError } from "../core/errors";

/**
 * Runs a stage's main function as a process: bad input prints one line per problem on stderr,
 * prefixed with the program's name, and exits 1; anything unexpected exits 2. Messages come from
 * StackwrightInputError, which never carries secret values.
 */
export function runStage(programName: string, main: () => Promise<void>): void {
  main().then(
    () => {
      process.exitCode = 0;
    },
    (error: unknown) => {
      if (error instanceof StackwrightInputError) {
        for (const p of error.problems)
          process.stderr.write(`${programName}: error: ${p.at}: ${p.message}\n`);
        process.exitCode = 1;
      } else {
        process.stderr.write(`${programName}: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
        process.exitCode = 2;
      }
    },
  );
}
