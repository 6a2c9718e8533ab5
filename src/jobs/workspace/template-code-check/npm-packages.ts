/**
 * npm's rule for package names: lower case, URL-safe, optionally under one @scope. The check
 * relies on it: a declared dependency becomes an ambient module declaration, and a name such as
 * `*` would make every import pass. (Whether a template's dependencies are acceptable at all is
 * the catalogue's rule, src/catalog/dependencies.ts.)
 */
const NPM_NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

export function isNpmPackageName(name: string): boolean {
  return name.length <= 214 && NPM_NAME.test(name);
}

/** The npm package an import names: `@scope/name` or `name`, without a subpath. */
export function npmPackageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}
