import { dump, JSON_SCHEMA, load, Type } from "js-yaml";
import { type DataLimits, DOCUMENT_LIMITS, dataProblem } from "./bounds";

/**
 * The one place Stackwright reads and writes YAML. js-yaml, because the stages are short-lived
 * processes and it loads in half the time of the alternatives (bench/stage.bench.ts).
 */

/** Data read from YAML breaks a bound of bounds.ts, or is not JSON data. */
export class YamlLimitError extends Error {
  override readonly name = "YamlLimitError";

  constructor(
    /** The field path in the document (`spec.size`), empty for the document as a whole. */
    readonly at: string,
    /** What is wrong there, a phrase such as "is nested more than 64 levels deep". */
    readonly problem: string,
  ) {
    super(`${at || "the document"} ${problem}`);
  }
}

/**
 * Parses YAML (or JSON, a subset of it) into JSON data within `limits`. Throws js-yaml's error,
 * whose first line says where, or a YamlLimitError.
 */
export function parseYaml(text: string, limits: DataLimits = DOCUMENT_LIMITS): unknown {
  // YAML is at most a little larger than the JSON it expands to, short of aliases.
  if (text.length > 2 * limits.maxBytes) {
    throw new YamlLimitError("", `is ${text.length} characters long, more than ${2 * limits.maxBytes}`);
  }
  let value: unknown;
  try {
    // The JSON schema: `yes`/`no`/`on` stay strings, as in YAML 1.2 and in Kubernetes.
    value = load(text, { schema: JSON_SCHEMA });
  } catch (error) {
    // js-yaml recurses per level of nesting: `[[[[…` thousands deep exhausts the stack.
    if (error instanceof RangeError) {
      throw new YamlLimitError("", `is nested more than ${limits.maxDepth} levels deep`);
    }
    throw error;
  }
  const problem = dataProblem(value, "", limits);
  if (problem !== undefined) {
    throw new YamlLimitError(problem.at.replace(/^\./, ""), problem.message);
  }
  return value;
}

/**
 * Plain scalars that a YAML 1.1 reader — Kubernetes' sigs.k8s.io/yaml among them — reads as
 * something other than the string: booleans and nulls of every spelling, the merge key `<<`,
 * numbers with `_` separators, base prefixes or sexagesimal `:` parts, `.inf`/`.nan`, and
 * timestamps. Deliberately wider than the YAML 1.1 types (anything number-like): quoting a string
 * never changes it.
 */
const YAML11_WORD =
  /^(?:[yYnN~=]|yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|<<)$/;
const YAML11_NUMBER_LIKE = /^[-+]?[.0-9][-+.0-9A-Za-z_:]*$/;
/** A bare exponent: some YAML 1.1 readers take `E0` or `-e5` for a float with its digits left out. */
const YAML11_EXPONENT = /^[-+]?[eE][-+]?[0-9]+$/;
const YAML11_SPECIAL_FLOAT = /^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$/;
const YAML11_TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/;

/**
 * A type that represents nothing and is never read back: listed as implicit, it makes js-yaml's
 * emitter quote every string it would match, as it does for strings that look like its own types.
 */
const YAML11_AMBIGUOUS = new Type("tag:stackwright,2025:yaml-1.1-ambiguous", {
  kind: "scalar",
  resolve: (text: string) =>
    YAML11_WORD.test(text) ||
    YAML11_NUMBER_LIKE.test(text) ||
    YAML11_EXPONENT.test(text) ||
    YAML11_SPECIAL_FLOAT.test(text) ||
    YAML11_TIMESTAMP.test(text),
});
const EMIT_SCHEMA = JSON_SCHEMA.extend({ implicit: [YAML11_AMBIGUOUS] });

/**
 * Deterministic YAML for plain data: same value, same bytes. No anchors, no line folding, and
 * every string that a YAML 1.1 or 1.2 reader could take for another type is quoted, so Kubernetes
 * reads back exactly what was written.
 */
export function toYaml(value: unknown): string {
  return dump(value, { lineWidth: -1, noRefs: true, schema: EMIT_SCHEMA, quotingType: '"' });
}
