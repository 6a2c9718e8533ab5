import type { ChangeSummary } from "../domain/job";
import { commandResultOf } from "../engine/pulumi-sdk-internals";
import type { JobResult } from "../store/job-store";

/** The CLI's exit code, when the error came from running it. */
export function exitCodeOf(error: unknown): number | null {
  return commandResultOf(error)?.code ?? null;
}

/** The engine's own error lines when there are any: they say what went wrong. */
export function describeFailure(error: unknown): string {
  const result = commandResultOf(error);
  if (result) {
    const text = `${result.stderr}\n${result.stdout}`;
    const errorLines = text
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => /^error:/i.test(l));
    return errorLines.length > 0
      ? [...new Set(errorLines)].join("\n")
      : `pulumi exited with code ${result.code}: ${result.stderr.trim().split("\n").slice(-5).join("\n")}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export function failedResult(
  error: string,
  exitCode: number | null,
  changes: ChangeSummary | null,
  output: string,
  outputTruncated = false,
): JobResult {
  return { status: "failed", exitCode, error, changes, output, outputTruncated };
}
