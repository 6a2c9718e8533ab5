import type { Problem } from "../../../core/errors";

/** Where a problem is, as far as it is known: a file, and in it a 1-based line and column. */
export interface FilePosition {
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
}

/** Paths in `at` are capped: a tenant's 10,000-character path must not flood a log line. */
const MAX_PATH_IN_AT = 200;

/** `files/<path>:<line>:<column>`, or as much of it as is known. */
export function fileAt({ path, line, column }: FilePosition): string {
  const shown = printablePath(path);
  if (line === undefined) return `files/${shown}`;
  return `files/${shown}:${line}:${column ?? 1}`;
}

export function fileProblem(position: FilePosition, message: string): Problem {
  return { at: fileAt(position), message };
}

/**
 * The path as it can be shown: control characters (NUL included) escaped, so that a hostile path
 * can neither cut nor forge a line of a log or of the joined error message.
 */
export function printablePath(path: string): string {
  const escaped = path.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return escaped.length > MAX_PATH_IN_AT ? `${escaped.slice(0, MAX_PATH_IN_AT)}…` : escaped;
}

/**
 * Problems in reading order: those with no line first, as they came; then by file (in the order
 * files first appear), line and column. A check that walks a program by section finds its
 * problems out of order; a reader fixes them top to bottom.
 */
export function inReadingOrder(problems: readonly Problem[]): Problem[] {
  const fileOrder = new Map<string, number>();
  const keyed = problems.map((problem, index) => {
    const match = /^files\/(.*):(\d+):(\d+)$/.exec(problem.at);
    if (match === null) return { problem, key: [-1, index, 0] };
    const file = match[1] ?? "";
    if (!fileOrder.has(file)) fileOrder.set(file, fileOrder.size);
    return { problem, key: [fileOrder.get(file) ?? 0, Number(match[2]), Number(match[3])] };
  });
  const compare = (a: number[], b: number[]) =>
    (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0) || (a[2] ?? 0) - (b[2] ?? 0);
  return keyed.sort((a, b) => compare(a.key, b.key)).map((k) => k.problem);
}
