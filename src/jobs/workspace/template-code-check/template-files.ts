import type { Problem } from "../../../core/errors";
import { fileProblem } from "./problem-at";

/**
 * How much program a template may carry. The files come from tenants and are parsed, compiled and
 * type-checked by the service itself, so each bound is also a bound on the service's work.
 */
export const TEMPLATE_FILE_LIMITS = {
  maxFiles: 200,
  maxFileBytes: 512 * 1024,
  maxTotalBytes: 4 * 1024 * 1024,
  maxPathLength: 512,
} as const;

export interface TemplateFiles {
  readonly problems: Problem[];
  /**
   * The files fit to check further, by path: those with a safe path, text content and a size
   * within bounds. Undefined when the set as a whole is over a bound, so that nothing of it is
   * parsed.
   */
  readonly checkable: ReadonlyMap<string, string> | undefined;
  /** Every path given, checkable or not: a file refused above is not also reported missing. */
  readonly given: ReadonlySet<string>;
}

/**
 * Checks the paths and sizes of a template's files. A path is relative, `/`-separated, and names
 * a place inside the program: no `..`, `.` or empty segment, no absolute or drive path, no
 * backslash, no control character; and no path is both a file and a directory, which could not be
 * written out.
 */
export function readTemplateFiles(files: unknown): TemplateFiles {
  if (typeof files !== "object" || files === null || Array.isArray(files)) {
    return {
      problems: [{ at: "files", message: "must be an object of relative paths to file texts" }],
      checkable: undefined,
      given: new Set(),
    };
  }
  const entries = Object.entries(files);
  const limits = TEMPLATE_FILE_LIMITS;
  const given = new Set(entries.map(([path]) => path));
  if (entries.length === 0) {
    return {
      problems: [{ at: "files", message: "is empty; a template needs Pulumi.yaml" }],
      checkable: undefined,
      given,
    };
  }
  if (entries.length > limits.maxFiles) {
    return {
      problems: [{ at: "files", message: `has ${entries.length} files; at most ${limits.maxFiles}` }],
      checkable: undefined,
      given,
    };
  }

  const problems: Problem[] = [];
  const checkable = new Map<string, string>();
  let totalBytes = 0;
  for (const [path, text] of entries) {
    const pathProblem = unsafePathReason(path);
    if (pathProblem !== undefined) {
      problems.push(fileProblem({ path }, pathProblem));
      continue;
    }
    if (typeof text !== "string") {
      problems.push(fileProblem({ path }, "is not text"));
      continue;
    }
    const bytes = Buffer.byteLength(text, "utf8");
    totalBytes += bytes;
    if (bytes > limits.maxFileBytes) {
      problems.push(fileProblem({ path }, `is ${bytes} bytes; at most ${limits.maxFileBytes}`));
      continue;
    }
    checkable.set(path, text);
  }
  problems.push(...fileDirectoryClashes(checkable));
  if (totalBytes > limits.maxTotalBytes) {
    problems.push({ at: "files", message: `hold ${totalBytes} bytes; at most ${limits.maxTotalBytes}` });
    return { problems, checkable: undefined, given };
  }
  return { problems, checkable, given };
}

/** Why a path cannot name a file of the program, or undefined when it can. */
export function unsafePathReason(path: string): string | undefined {
  if (path.length === 0) return "has an empty path";
  if (path.length > TEMPLATE_FILE_LIMITS.maxPathLength) {
    return `has a path of ${path.length} characters; at most ${TEMPLATE_FILE_LIMITS.maxPathLength}`;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(path)) return "has a control character in its path";
  if (path.includes("\\")) return "has a backslash in its path; separate directories with /";
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) {
    return "is an absolute path; paths are relative to the program's root";
  }
  const segments = path.split("/");
  if (segments.some((s) => s === "." || s === "..")) {
    return "has a . or .. segment; paths must name a place inside the program";
  }
  if (segments.some((s) => s === "")) return "has an empty path segment";
  return undefined;
}

/** `a` and `a/b` cannot both be files: one problem at the file that is also a directory. */
function fileDirectoryClashes(files: ReadonlyMap<string, string>): Problem[] {
  const problems: Problem[] = [];
  for (const path of files.keys()) {
    const segments = path.split("/");
    for (let i = 1; i < segments.length; i++) {
      const dir = segments.slice(0, i).join("/");
      if (files.has(dir)) {
        problems.push(fileProblem({ path: dir }, `is a file, yet ${path} puts it as a directory`));
        break;
      }
    }
  }
  return problems;
}
