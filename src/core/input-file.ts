/**
 * How problems with an input file (a request, a package schema, a configuration file) are
 * reported, wherever it is read. `at` is the variable, flag or field that gave the file's path.
 * Reading the file is left to the caller (src/io/input-files.ts): the core does no I/O.
 */

/** The problem with a file that could not be read, from its error code: the path and why. */
export function unreadableFileProblem(path: string, code: string | undefined): string {
  const why =
    code === "ENOENT" ? "does not exist" : code === "EACCES" ? "is not readable" : `cannot be read (${code})`;
  return `${path} ${why}`;
}

/**
 * What problems with a package schema read from `location` (a path or a URL) are reported at, for
 * parsePackageSchema: `at (location)`, so they name both the setting and the file.
 */
export function fileSource(at: string, location: string): string {
  return `${at} (${location})`;
}
