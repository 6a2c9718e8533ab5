import type { Problem } from "../core/errors";

/**
 * What a template may install. Dependencies reach a package manager on the service's machine,
 * so only a package name and a registry version are accepted: no URLs, paths, git references or
 * tags, which could fetch anything. (Install scripts are also never run: see the workspace that
 * installs them.)
 */
const NPM_NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;
const NPM_VERSION = /^[~^]?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const PYPI_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const PYPI_VERSION = /^\d+(\.\d+){0,3}((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$/;
export const MAX_DEPENDENCIES = 50;

export function dependencyProblems(
  language: "typescript" | "python" | "yaml",
  dependencies: unknown,
  at = "dependencies",
): Problem[] {
  if (dependencies === null || typeof dependencies !== "object" || Array.isArray(dependencies))
    return [{ at, message: "expected an object of package names and versions" }];
  const entries = Object.entries(dependencies as Record<string, unknown>);
  if (language === "yaml")
    return entries.length === 0
      ? []
      : [{ at, message: "a YAML template installs nothing; its providers come as plugins" }];
  if (entries.length > MAX_DEPENDENCIES)
    return [{ at, message: `has ${entries.length} packages; at most ${MAX_DEPENDENCIES}` }];
  const [name, version] = language === "typescript" ? [NPM_NAME, NPM_VERSION] : [PYPI_NAME, PYPI_VERSION];
  const registry = language === "typescript" ? "npm" : "PyPI";
  const problems: Problem[] = [];
  for (const [pkg, spec] of entries) {
    if (pkg.length > 214 || !name.test(pkg))
      problems.push({ at: `${at}.${pkg}`, message: `is not a ${registry} package name` });
    else if (typeof spec !== "string" || !version.test(spec))
      problems.push({
        at: `${at}.${pkg}`,
        message:
          language === "typescript"
            ? "expected a registry version: 1.2.3, ^1.2.3 or ~1.2.3 (no URLs, paths, git or tags)"
            : "expected an exact release such as 1.2.3 (no URLs, paths or extras)",
      });
  }
  return problems;
}
