/**
 * How large and how deep the data Stackwright reads may be. A request is a Kubernetes object, and
 * etcd refuses a request larger than about 1.5 MiB (its default `--max-request-bytes`), so no
 * legitimate request is larger once YAML aliases are expanded; a few hundred bytes of anchors can
 * otherwise expand into gigabytes. The bounds are documented in docs/stages.md, "Limits".
 */

/** Expanded JSON size of a request (every alias counted each time it is used). */
export const MAX_REQUEST_BYTES = 1024 * 1024;
/** Nesting of mappings and sequences in any document read, the document itself being level 1. */
export const MAX_DEPTH = 64;
/** Expanded JSON size of a package schema or a configuration file. */
export const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;
/**
 * Size of each emitted manifest, as JSON (what the API server stores) and as YAML (what is
 * written): below etcd's 1.5 MiB, leaving room for the status and managed fields the cluster adds.
 */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

export interface DataLimits {
  readonly maxBytes: number;
  readonly maxDepth: number;
}

export const REQUEST_LIMITS: DataLimits = { maxBytes: MAX_REQUEST_BYTES, maxDepth: MAX_DEPTH };
export const DOCUMENT_LIMITS: DataLimits = { maxBytes: MAX_DOCUMENT_BYTES, maxDepth: MAX_DEPTH };

/** Where a value breaks its limits, and how. */
export interface DataProblem {
  /** The field path of the offending value under the path given to dataProblem. */
  readonly at: string;
  readonly message: string;
}

/** Where the walk is: built into a field path only when a problem is found there. */
interface Trail {
  readonly up: Trail | undefined;
  readonly step: string | number;
}

function pathOf(at: string, trail: Trail | undefined): string {
  const steps: (string | number)[] = [];
  for (let t = trail; t !== undefined; t = t.up) steps.push(t.step);
  return steps.reduceRight<string>(
    (path, step) => (typeof step === "number" ? `${path}[${step}]` : `${path}.${step}`),
    at,
  );
}

class Exceeded extends Error {
  constructor(
    readonly trail: Trail | undefined,
    readonly why: string,
  ) {
    super(why);
  }
}

/**
 * Checks that `value` is JSON data (strings, finite numbers, booleans, null, arrays and plain
 * objects) within `limits`, or says where it is not. Shared subtrees — what YAML aliases produce —
 * are measured once but counted every time they occur, so the walk costs the size of the text,
 * not of its expansion; a cycle or a long alias chain stops at the depth bound.
 */
export function dataProblem(value: unknown, at: string, limits: DataLimits): DataProblem | undefined {
  /** Per container: its expanded size and its height (1 for an empty one). */
  const measured = new WeakMap<object, { size: number; height: number }>();
  const tooDeep = `is nested more than ${limits.maxDepth} levels deep`;
  const measure = (
    node: unknown,
    trail: Trail | undefined,
    depth: number,
  ): { size: number; height: number } => {
    switch (typeof node) {
      case "string":
        return { size: node.length + 2, height: 0 };
      case "boolean":
        return { size: node ? 4 : 5, height: 0 };
      case "number":
        if (!Number.isFinite(node)) {
          const shown = Number.isNaN(node) ? ".nan" : node > 0 ? ".inf" : "-.inf";
          throw new Exceeded(trail, `is ${shown}, which JSON, and so Kubernetes, cannot carry`);
        }
        return { size: String(node).length, height: 0 };
      case "object": {
        if (node === null) return { size: 4, height: 0 };
        let result = measured.get(node);
        if (result === undefined) {
          if (depth > limits.maxDepth) throw new Exceeded(trail, tooDeep);
          let size = 2;
          let height = 1;
          const add = (item: unknown, step: string | number, overhead: number) => {
            const child = measure(item, { up: trail, step }, depth + 1);
            size += child.size + overhead;
            height = Math.max(height, child.height + 1);
          };
          if (Array.isArray(node)) {
            for (let i = 0; i < node.length; i++) add(node[i], i, 1);
          } else {
            const prototype = Object.getPrototypeOf(node);
            if (prototype !== Object.prototype && prototype !== null) {
              throw new Exceeded(trail, "is not JSON data (an object of a class)");
            }
            for (const key of Object.keys(node))
              add((node as Record<string, unknown>)[key], key, key.length + 4);
          }
          result = { size, height };
          measured.set(node, result);
        } else if (depth + result.height - 1 > limits.maxDepth) {
          // A shared subtree met again deeper down (a YAML alias).
          throw new Exceeded(trail, tooDeep);
        }
        return result;
      }
      default:
        throw new Exceeded(trail, `is not JSON data (${typeof node})`);
    }
  };
  try {
    const { size } = measure(value, undefined, 1);
    if (size > limits.maxBytes) {
      return {
        at,
        message: `expands to about ${size} bytes of JSON, more than the ${limits.maxBytes} allowed (YAML aliases count each time they are used)`,
      };
    }
    return undefined;
  } catch (error) {
    if (error instanceof Exceeded) return { at: pathOf(at, error.trail), message: error.why };
    throw error;
  }
}
