import type { Problem } from "./errors";
import { isPlainObject } from "./package-schema";

/**
 * What text from outside may become in a Pulumi YAML program. Pulumi YAML reads every string —
 * object keys included — as an interpolation (`${…}` is an expression, `$$` one `$`), and an
 * object with a key `fn::…` in any case (`Fn::ReadFile`, `FN::INVOKE`) as a built-in function call.
 */

/** Marks the start of a built-in function call; Pulumi YAML lower-cases keys before comparing. */
export function isBuiltinFunctionKey(key: string): boolean {
  return key.toLowerCase().startsWith("fn::");
}

/**
 * Every `$` doubled in every string, keys included, so the text stays literal: otherwise a request
 * could read the program's configuration, secrets included, into a value or a key of its choosing.
 */
export function escapeInterpolation(value: unknown): unknown {
  if (typeof value === "string") return escapeText(value);
  if (Array.isArray(value)) return value.map(escapeInterpolation);
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeText(k), escapeInterpolation(v)]));
  }
  return value;
}

export function escapeText(text: string): string {
  // A function replacement: in a replacement string "$$" would itself mean one "$".
  return text.replaceAll("$", () => "$$");
}

/** Every key of `value` (at any depth) that Pulumi YAML would call as a built-in function. */
export function builtinKeyProblems(value: unknown, at: string): Problem[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => builtinKeyProblems(v, `${at}[${i}]`));
  if (!isPlainObject(value)) return [];
  return Object.entries(value).flatMap(([k, v]) =>
    isBuiltinFunctionKey(k)
      ? [
          {
            at: `${at}.${k}`,
            message:
              "keys starting with 'fn::' (in any case) are Pulumi YAML built-in functions and cannot appear in a request",
          },
        ]
      : builtinKeyProblems(v, `${at}.${k}`),
  );
}
