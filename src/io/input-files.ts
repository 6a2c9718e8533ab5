// Synchronous: a stage is a one-shot process, where node:fs/promises adds to its start-up; the job
// service and ProgramStack read these files once, before any work starts.
import { readFileSync } from "node:fs";
import { StackwrightInputError } from "../core/errors";
import { fileSource, unreadableFileProblem } from "../core/input-file";
import { type PackageSchema, parsePackageSchema } from "../core/package-schema";

/**
 * Reading the input files that the stages, ProgramStack and the job service share: the Node I/O
 * kept out of src/core, which says how their problems are reported (core/input-file.ts).
 */

/** A file's text; a file that cannot be read is a problem at `at`. */
export function readInputFile(path: string, at: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw StackwrightInputError.single(
      at,
      unreadableFileProblem(path, (error as NodeJS.ErrnoException).code),
    );
  }
}

/** A package schema file (JSON or YAML), read and parsed; its problems are at `at`. */
export function readSchemaFile(path: string, at: string): PackageSchema {
  return parsePackageSchema(readInputFile(path, at), fileSource(at, path));
}
