import { randomBytes } from "node:crypto";
// Synchronous file I/O: a stage is a one-shot process, and node:fs/promises adds to its start-up.
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REQUEST_LIMITS } from "../core/bounds";
import { StackwrightInputError } from "../core/errors";
import { fileSource } from "../core/input-file";
import { type PackageSchema, parsePackageSchema } from "../core/package-schema";
import { parseResourceRequest, type ResourceRequest } from "../core/request";
import { parseYaml, YamlLimitError } from "../core/yaml";
import { readInputFile, readSchemaFile } from "../io/input-files";

export async function readRequest(inputFile: string): Promise<ResourceRequest> {
  const text = readInputFile(inputFile, "KRATIX_INPUT_FILE");
  let value: unknown;
  try {
    value = parseYaml(text, REQUEST_LIMITS);
  } catch (error) {
    if (error instanceof YamlLimitError) {
      throw error.at === ""
        ? StackwrightInputError.single("KRATIX_INPUT_FILE", `${inputFile} ${error.problem}`)
        : StackwrightInputError.single(error.at, error.problem);
    }
    throw StackwrightInputError.single(
      "KRATIX_INPUT_FILE",
      `${inputFile} is not valid YAML: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  return parseResourceRequest(value);
}

/**
 * Reads a package schema from a file path or an https:// URL. `field` names where the source came
 * from (an environment variable or a flag), for messages.
 */
export async function readSchema(source: string, field = "PULUMI_SCHEMA_SOURCE"): Promise<PackageSchema> {
  if (!source.startsWith("https://")) return readSchemaFile(source, field);
  return parsePackageSchema(await fetchText(source, field), fileSource(field, source));
}

async function fetchText(url: string, field: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw StackwrightInputError.single(field, `cannot fetch ${url}: ${cause}`);
  }
  if (!response.ok) {
    throw StackwrightInputError.single(field, `fetching ${url} answered HTTP ${response.status}`);
  }
  return response.text();
}

/**
 * Writes a file so that it is either absent or complete: the bytes go to a temporary file in the
 * same directory, which is then renamed over the target.
 */
export function writeFileAtomically(dir: string, name: string, contents: string): void {
  const target = join(dir, name);
  const temporary = join(dir, `.${name}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    writeFileSync(temporary, contents, { encoding: "utf8", flag: "wx" });
    renameSync(temporary, target);
  } catch (error) {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // Nothing was created there.
    }
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "does not exist"
        : code === "EACCES" || code === "EROFS"
          ? "is not writable"
          : `cannot be written (${code})`;
    throw StackwrightInputError.single("KRATIX_OUTPUT_DIR", `${dir} ${why}`);
  }
}
