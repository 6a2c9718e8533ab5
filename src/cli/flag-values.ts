import { StackwrightInputError } from "../core/errors";
import { isPlainObject } from "../core/package-schema";
import { parseYaml, YamlLimitError } from "../core/yaml";
import { readInputFile } from "../io/input-files";

/**
 * Flag values read and checked before anything is sent: each failure is one problem naming the
 * flag, so `stackwright` prints it and exits 1.
 */

export function positiveInteger(flag: string, raw: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > max)
    throw StackwrightInputError.single(flag, `expected a whole number from 1 to ${max}`);
  return n;
}

/**
 * A flag the command cannot do without. Checked here rather than by commander, whose refusal is
 * a usage error (exit 2) printed without the flag as its first word.
 */
export function required(flag: string, value: string | undefined): string {
  if (value === undefined || value === "") throw StackwrightInputError.single(flag, "is required");
  return value;
}

/** `raw` as one of `words`' keys, the value it stands for. */
export function oneOf<V>(flag: string, raw: string, words: ReadonlyMap<string, V>): V {
  const value = words.get(raw);
  if (value === undefined)
    throw StackwrightInputError.single(flag, `expected one of ${[...words.keys()].join(", ")}`);
  return value;
}

/** An ISO 8601 time (a date alone is midnight UTC), as epoch milliseconds. */
export function isoTime(flag: string, raw: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw)
    ? Date.parse(raw)
    : Number.NaN;
  if (Number.isNaN(ms))
    throw StackwrightInputError.single(
      flag,
      "expected an ISO 8601 time, e.g. 2025-01-31 or 2025-01-31T12:00:00Z",
    );
  return ms;
}

/** A JSON or YAML file holding one object. */
export function readObjectFile(flag: string, path: string): Record<string, unknown> {
  const text = readInputFile(path, flag);
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    const detail =
      error instanceof YamlLimitError
        ? error.message
        : (String((error as Error).message).split("\n")[0] ?? "cannot be parsed");
    throw StackwrightInputError.single(flag, `${path} is not JSON or YAML: ${detail}`);
  }
  if (!isPlainObject(value)) throw StackwrightInputError.single(flag, `${path}: expected an object`);
  return value;
}
