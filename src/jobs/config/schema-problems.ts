import type { TSchema } from "typebox";
import type { TLocalizedValidationError } from "typebox/error";
import { Settings } from "typebox/system";
import { Value } from "typebox/value";
import type { Problem } from "../../core/errors";

/**
 * The problems of `value` against a TypeBox schema, all at once, each at its field as the user
 * writes it in YAML (`api.maxConnections`, `stacks.organization/web/dev.passphrase`,
 * `stacks.organization/web/dev.pluginPaths[1]`; `root` for the value itself) and in the schema's
 * words: a field's `errorMessage`, else what its type asks for. No message quotes the value, which
 * may be a secret.
 */
export function schemaProblems(schema: TSchema, value: unknown, root: string): Problem[] {
  const problems: Problem[] = [];
  for (const error of allErrors(schema, value)) {
    // A union is one choice: what each alternative has against the value is the union's one problem.
    if (INSIDE_ALTERNATIVE.test(error.schemaPath)) continue;
    // `additionalProperties: false` also fails once per unknown key: those are reported by name below.
    if (error.keyword === "boolean" && error.schemaPath.endsWith("/additionalProperties")) continue;
    const segments = pointerSegments(error.instancePath);
    const at = (...more: string[]) => fieldPath(root, value, [...segments, ...more]);
    const node = schemaAt(schema, error.schemaPath);
    switch (error.keyword) {
      case "additionalProperties":
        for (const key of error.params.additionalProperties)
          problems.push({ at: at(key), message: "unknown field" });
        break;
      case "required":
        for (const key of error.params.requiredProperties)
          problems.push({ at: at(key), message: expected(propertyOf(node, key), undefined, "required") });
        break;
      default:
        problems.push({ at: at(), message: expected(node, valueAt(value, segments), error.message) });
    }
  }
  return distinctProblems(problems);
}

/** Each problem once: one field can fail several ways that say the same thing. */
export function distinctProblems(problems: readonly Problem[]): Problem[] {
  return problems.filter((p, i) => problems.findIndex((q) => q.at === p.at && q.message === p.message) === i);
}

const INSIDE_ALTERNATIVE = /\/(anyOf|oneOf)\/\d+(\/|$)/;

/**
 * Past this many, errors are not collected. TypeBox stops at 8 by default, a guard for input from
 * strangers; a configuration file is the operator's own, and every problem in it should show.
 */
const MAX_ERRORS = 1000;

function allErrors(schema: TSchema, value: unknown): TLocalizedValidationError[] {
  // The setting is global: set for this one synchronous call only.
  const { maxErrors } = Settings.Get();
  Settings.Set({ maxErrors: MAX_ERRORS });
  try {
    return Value.Errors(schema, value);
  } finally {
    Settings.Set({ maxErrors });
  }
}

/** What a schema node asks for, as a message. */
function expected(node: unknown, value: unknown, fallback: string): string {
  if (!isRecord(node)) return fallback;
  if (typeof node.errorMessage === "string") return node.errorMessage;
  switch (node.type) {
    case "string":
      return node.minLength === undefined ? "expected a string" : "expected a non-empty string";
    case "integer":
    case "number":
      // A positive fraction where a count belongs: the count's one problem is its fraction.
      if (node.type === "integer" && typeof value === "number" && value > 0 && !Number.isInteger(value))
        return "expected a whole number";
      return node.exclusiveMinimum === 0 ? "expected a positive number" : "expected a number";
    case "boolean":
      return "expected true or false";
    case "object":
      return "expected a mapping";
    case "array":
      return "expected a list";
    default:
      return fallback;
  }
}

/** `/stacks/a~1b~1c/backend` → ["stacks", "a/b/c", "backend"] (RFC 6901). */
function pointerSegments(pointer: string): string[] {
  if (pointer === "" || pointer === "#") return [];
  return pointer
    .replace(/^#/, "")
    .slice(1)
    .split("/")
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** The YAML user's path: keys joined with `.`, list positions as `[n]`. */
function fieldPath(root: string, value: unknown, segments: readonly string[]): string {
  let at = "";
  let node = value;
  for (const segment of segments) {
    if (Array.isArray(node)) at = `${at}[${segment}]`;
    else at = at === "" ? segment : `${at}.${segment}`;
    node = child(node, segment);
  }
  return at === "" ? root : at;
}

function valueAt(value: unknown, segments: readonly string[]): unknown {
  return segments.reduce(child, value);
}

function child(node: unknown, segment: string): unknown {
  return isRecord(node) || Array.isArray(node) ? (node as Record<string, unknown>)[segment] : undefined;
}

function schemaAt(schema: TSchema, schemaPath: string): unknown {
  return valueAt(schema, pointerSegments(schemaPath));
}

function propertyOf(node: unknown, key: string): unknown {
  return isRecord(node) && isRecord(node.properties) ? node.properties[key] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
