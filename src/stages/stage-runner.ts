import { EXIT_OK, exitReport } from "../core/exit-report";

/**
 * Runs a stage's main function as a process: an error is printed and sets the exit code as
 * exitReport says, the same as for `stackwright`.
 */
export function runStage(programName: string, main: () => Promise<void>): void {
  main().then(
    () => {
      process.exitCode = EXIT_OK;
    },
    (error: unknown) => {
      const report = exitReport(programName, error);
      process.stderr.write(report.text);
      process.exitCode = report.exitCode;
    },
  );
}
