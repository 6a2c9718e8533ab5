/**
 * The `${…}` references of a Pulumi YAML string. Each is a property path as Pulumi YAML reads it:
 * a root — a name running to the next `.`, `[` or `}` (so `my-bucket` and `aws:region` are names),
 * or a quoted key `["…"]` — then any of `.name`, `["quoted key"]` and `[0]`. `$$` stands for a
 * literal `$`.
 */

export type Accessor = string | number;

export interface Reference {
  /** The first accessor: the name of a resource, variable or configuration key, or `pulumi`. */
  readonly root: string;
  readonly rest: readonly Accessor[];
  /** The reference as written, `${…}` included. */
  readonly text: string;
  /** Where `${` is in the string. */
  readonly offset: number;
}

export interface InterpolationError {
  readonly offset: number;
  readonly message: string;
}

export function parseInterpolations(value: string): {
  references: Reference[];
  errors: InterpolationError[];
} {
  const references: Reference[] = [];
  let i = 0;
  while (i < value.length) {
    if (value.startsWith("$$", i)) {
      i += 2;
    } else if (value.startsWith("${", i)) {
      const parsed = parsePath(value, i + 2);
      // Pulumi YAML gives up on a string at its first malformed reference; so does this.
      if ("message" in parsed) return { references, errors: [{ offset: i, message: parsed.message }] };
      const [root, ...rest] = parsed.accessors;
      if (root === undefined) {
        return { references, errors: [{ offset: i, message: "${} refers to nothing" }] };
      }
      references.push({ root: String(root), rest, text: value.slice(i, parsed.end), offset: i });
      i = parsed.end;
    } else {
      i++;
    }
  }
  return { references, errors: [] };
}

/** Parses the path that starts at `start`, up to and including its `}`. */
function parsePath(
  value: string,
  start: number,
): { accessors: Accessor[]; end: number } | { message: string } {
  const accessors: Accessor[] = [];
  let i = start;
  while (i < value.length) {
    const c = value[i];
    if (c === "}") return { accessors, end: i + 1 };
    if (c === ".") {
      i++;
    } else if (c === "[") {
      const subscript = value[i + 1] === '"' ? quotedKey(value, i + 2) : listIndex(value, i + 1);
      if ("message" in subscript) return subscript;
      if (accessors.length === 0 && typeof subscript.key === "number") {
        return { message: "a reference starts with a name or a quoted key, not a list index" };
      }
      accessors.push(subscript.key);
      i = subscript.end;
    } else {
      let end = i;
      while (end < value.length && !".[}".includes(value.charAt(end))) end++;
      accessors.push(value.slice(i, end));
      i = end;
    }
  }
  return { message: "${ is never closed by }" };
}

/** `"key"]`, from after the opening quote; `\"` is a quote within the key. */
function quotedKey(value: string, start: number): { key: string; end: number } | { message: string } {
  let key = "";
  let i = start;
  for (;;) {
    if (i >= value.length) return { message: "a quoted key in a reference has no closing quote" };
    if (value[i] === '"') break;
    if (value[i] === "\\" && value[i + 1] === '"') {
      key += '"';
      i += 2;
    } else {
      key += value[i];
      i++;
    }
  }
  if (value[i + 1] !== "]") return { message: "a quoted key in a reference has no closing ]" };
  return { key, end: i + 2 };
}

/** `0]`, from after the `[`. */
function listIndex(value: string, start: number): { key: number; end: number } | { message: string } {
  const close = value.indexOf("]", start);
  if (close === -1) return { message: "a list index in a reference has no closing ]" };
  const digits = value.slice(start, close);
  if (!/^[0-9]{1,9}$/.test(digits)) return { message: `[${digits}] is not a list index` };
  return { key: Number(digits), end: close + 1 };
}
