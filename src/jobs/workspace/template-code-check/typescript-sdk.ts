import { dirname, join, sep } from "node:path";
import ts from "typescript";

/**
 * The Pulumi packages a TypeScript template is checked against when the service has them
 * installed. Their declarations are read from the service's own node_modules, so a check installs
 * nothing.
 */
const SDK_PACKAGES = ["@pulumi/pulumi", "@pulumi/kubernetes", "@pulumi/random"] as const;

export interface SdkTypes {
  /** The SDK packages that are installed. */
  readonly packages: ReadonlySet<string>;
  /** TypeScript's own lib directory (lib.es2022.d.ts and the rest). */
  readonly libDir: string;
  /**
   * The only directories the check reads from disk, and from them only declaration files and
   * package.json: TypeScript's lib directory and the node_modules trees the packages are in.
   */
  readonly roots: readonly string[];
  /** A file name in the checker's own directory, from which the packages resolve as Node would. */
  readonly anchor: string;
}

let located: SdkTypes | undefined;

/** Finds the installed SDK packages once per process: node_modules does not change under it. */
export function sdkTypes(): SdkTypes {
  located ??= locate();
  return located;
}

function locate(): SdkTypes {
  const libDir = dirname(ts.getDefaultLibFilePath({}));
  const packages = new Set<string>();
  const roots = new Set<string>([libDir]);
  for (const name of SDK_PACKAGES) {
    const manifest = resolveFrom(`${name}/package.json`, __dirname);
    if (manifest === undefined) continue;
    packages.add(name);
    roots.add(outermostNodeModules(manifest));
  }
  // @types/node types the SDK's own declarations and a program's `process` or `fs`; it comes with
  // the SDK (a dependency of its gRPC stack), so it is looked for from there.
  const pulumi = resolveFrom("@pulumi/pulumi/package.json", __dirname);
  const nodeTypes = resolveFrom(
    "@types/node/package.json",
    pulumi === undefined ? __dirname : dirname(pulumi),
  );
  if (nodeTypes !== undefined) roots.add(outermostNodeModules(nodeTypes));
  return {
    packages,
    libDir,
    roots: [...roots].map((r) => (r.endsWith(sep) ? r : r + sep)),
    anchor: join(__dirname, "template.ts"),
  };
}

function resolveFrom(request: string, from: string): string | undefined {
  try {
    return require.resolve(request, { paths: [from] });
  } catch {
    return undefined;
  }
}

/**
 * The outermost node_modules directory above a package: hoisted dependencies of the SDK live
 * there, beside or above it, and everything nested is below it.
 */
function outermostNodeModules(path: string): string {
  const marker = `${sep}node_modules${sep}`;
  const at = path.indexOf(marker);
  return at === -1 ? dirname(path) : path.slice(0, at + marker.length);
}

/** Whether the check may read `path` from disk: a declaration file or package.json under a root. */
export function isReadableSdkFile(sdk: SdkTypes, path: string): boolean {
  if (!(/\.d\.[cm]?ts$/.test(path) || path.endsWith(`${sep}package.json`))) return false;
  if (path.split(/[\\/]/).includes("..")) return false;
  return sdk.roots.some((root) => path.startsWith(root));
}
