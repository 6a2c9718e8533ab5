import type { FieldProblem } from "../../api/field-problems";

/** A problem the service found in one of the template's files, where it is (1-based). */
export interface FileProblem {
  readonly path: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/**
 * The service's problems with a draft sorted: those in a file (`files/<path>:<line>:<column>`, or
 * `files/<path>` for the whole file, then at its start) become markers at their place; the rest
 * (the parameters' schema, the dependencies, the template as a whole) are listed apart.
 */
export function sortDraftProblems(problems: readonly FieldProblem[]): {
  files: FileProblem[];
  other: FieldProblem[];
} {
  const files: FileProblem[] = [];
  const other: FieldProblem[] = [];
  for (const problem of problems) {
    const match = /^files\/(.+?)(?::(\d+):(\d+))?$/.exec(problem.at);
    if (match === null) other.push(problem);
    else
      files.push({
        path: match[1] ?? "",
        line: Number(match[2] ?? 1),
        column: Number(match[3] ?? 1),
        message: problem.message,
      });
  }
  return { files, other };
}
