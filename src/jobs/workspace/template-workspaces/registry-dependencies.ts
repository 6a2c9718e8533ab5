/**
 * What reaches a package manager's command line or package.json must be a registry name and a
 * version: never an option (`-…`), a URL, a path or a git reference, each of which would make npm
 * or pip fetch or run something else. The catalogue validates dependencies precisely when a
 * version is saved; this is the last guard, where they are used, and only as strict as safety
 * needs.
 */
const NAME = /^(@[A-Za-z0-9][A-Za-z0-9._-]*\/)?[A-Za-z0-9][A-Za-z0-9._-]*$/;
const VERSION = /^[~^]?[0-9][0-9A-Za-z.+!-]*$/;

export function assertRegistryDependencies(dependencies: Readonly<Record<string, string>>): void {
  for (const [name, version] of Object.entries(dependencies)) {
    if (!NAME.test(name) || name.includes(".."))
      throw new Error(`dependency ${JSON.stringify(name)} is not a registry package name`);
    if (typeof version !== "string" || !VERSION.test(version))
      throw new Error(`dependency ${name}: ${JSON.stringify(version)} is not a registry version`);
  }
}
