import { ConnectError } from "@connectrpc/connect";

/** One problem the service named, and the field it is about (`parameters.replicas`, `files/index.ts:3:7`). */
export interface FieldProblem {
  readonly at: string;
  readonly message: string;
}

/**
 * The problems of a refused call. The service sends a PlatformError's problems in the error's
 * message, one a line, each `<field>: <message>` (src/jobs/domain/platform-error.ts); a line not
 * of that shape is kept whole, about no field.
 */
export function fieldProblems(error: unknown): FieldProblem[] {
  const text = ConnectError.from(error).rawMessage;
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const match = /^(\S+): (.*)$/s.exec(line);
      return match === null ? { at: "", message: line } : { at: match[1] ?? "", message: match[2] ?? "" };
    });
}
