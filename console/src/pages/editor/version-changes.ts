/** What one version holds, as compared: its files, dependencies and parameters' schema. */
export interface ComparedSource {
  readonly files: Readonly<Record<string, string>>;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly parameters: unknown;
}

export type Change = "added" | "removed" | "changed";

/** A key (a file's path, a dependency's name) whose value differs between two versions. */
export interface KeyChange {
  readonly key: string;
  readonly change: Change;
  /** The older version's value; undefined when added. */
  readonly before: string | undefined;
  /** The newer version's value; undefined when removed. */
  readonly after: string | undefined;
}

export interface VersionChanges {
  /** By path, sorted. */
  readonly files: readonly KeyChange[];
  readonly unchangedFiles: number;
  /** By name, sorted. */
  readonly dependencies: readonly KeyChange[];
  /** Each version's schema as JSON text with its keys sorted, so that their order is no change. */
  readonly parameters: { readonly before: string; readonly after: string; readonly changed: boolean };
}

/** The keys added, removed or given another value from `before` to `after`, sorted. */
export function keyChanges(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): KeyChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changes: KeyChange[] = [];
  for (const key of keys) {
    const was = Object.hasOwn(before, key) ? before[key] : undefined;
    const is = Object.hasOwn(after, key) ? after[key] : undefined;
    if (was === is) continue;
    changes.push({
      key,
      change: was === undefined ? "added" : is === undefined ? "removed" : "changed",
      before: was,
      after: is,
    });
  }
  return changes;
}

/** JSON with every object's keys in order: two schemas differing only in key order read the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

/** What changed from the version `before` to the version `after`. */
export function versionChanges(before: ComparedSource, after: ComparedSource): VersionChanges {
  const files = keyChanges(before.files, after.files);
  const paths = new Set([...Object.keys(before.files), ...Object.keys(after.files)]);
  const parametersBefore = canonicalJson(before.parameters ?? {});
  const parametersAfter = canonicalJson(after.parameters ?? {});
  return {
    files,
    unchangedFiles: paths.size - files.length,
    dependencies: keyChanges(before.dependencies, after.dependencies),
    parameters: {
      before: parametersBefore,
      after: parametersAfter,
      changed: parametersBefore !== parametersAfter,
    },
  };
}
