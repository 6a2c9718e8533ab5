import { builtinModules } from "node:module";
import ts from "typescript";
import type { Problem } from "../../../core/errors";
import { isNpmPackageName, npmPackageOf } from "./npm-packages";
import { fileProblem } from "./problem-at";
import { isReadableSdkFile, type SdkTypes, sdkTypes } from "./typescript-sdk";

/**
 * Where the template's files are, for the compiler: a directory that exists nowhere. The files
 * stay in memory; nothing is written, and nothing on disk is read but the SDK's declarations.
 */
const ROOT = "/__template__/";
/**
 * Declares, as `any`, the modules of the template's dependencies the check has no types for.
 * Outside ROOT, so that no file of the template can take its place.
 */
const DECLARED_MODULES = "/__stackwright__/declared-dependencies.d.ts";

/** What Pulumi's own TypeScript template compiles with, strict. */
const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2022.d.ts"],
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  esModuleInterop: true,
  resolveJsonModule: true,
  skipLibCheck: true,
  types: [],
  forceConsistentCasingInFileNames: true,
};

/**
 * Declarations parsed once per process and shared by every check: TypeScript's lib files and the
 * SDK's .d.ts files, which are most of the work of a check and never change while it runs.
 */
const declarationCache = new Map<string, ts.SourceFile>();
const resolutionCache = ts.createModuleResolutionCache("/", (f) => f, COMPILER_OPTIONS);
const typeReferenceCache = ts.createTypeReferenceDirectiveResolutionCache("/", (f) => f, COMPILER_OPTIONS);

/**
 * Type-checks a TypeScript template with the compiler API, strict, against the Pulumi SDK's types.
 * Imports resolve to the template's own files, to Node's modules, to the SDK packages installed
 * beside the service, or — untyped — to packages the template declares as dependencies; any
 * other import is a problem. The program is never run.
 */
export function checkTypeScriptProgram(
  files: ReadonlyMap<string, string>,
  dependencies: Readonly<Record<string, string>>,
  main: string,
  given: ReadonlySet<string>,
): Problem[] {
  const problems = entryPointProblems(files, main, given);
  const sources = [...files.keys()].filter((path) => /\.(?:d\.)?ts$/.test(path));
  if (sources.length === 0) return problems;

  const sdk = sdkTypes();
  const nodeTypes = resolveNodeTypes(sdk);
  const declared = new Set(Object.keys(dependencies).filter(isNpmPackageName));
  const virtual = new Map<string, string>();
  for (const [path, text] of files) virtual.set(ROOT + path, text);
  virtual.set(DECLARED_MODULES, declaredModules(declared, sdk, nodeTypes !== undefined));

  const undeclared = new Map<string, string>();
  const host = compilerHost(sdk, virtual, declared, undeclared);
  const roots = [...sources.map((path) => ROOT + path), DECLARED_MODULES];
  if (nodeTypes !== undefined) roots.push(nodeTypes);

  let diagnostics: readonly ts.Diagnostic[];
  try {
    const program = ts.createProgram({ rootNames: roots, options: COMPILER_OPTIONS, host });
    // The template's own files only: the SDK's and the lib's declarations are taken as they are.
    const templateFiles = program.getSourceFiles().filter((f) => f.fileName.startsWith(ROOT));
    diagnostics = [
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...templateFiles.flatMap((f) => [
        ...program.getSyntacticDiagnostics(f),
        ...program.getSemanticDiagnostics(f),
      ]),
    ];
  } catch (error) {
    // The parser and checker recurse per level of nesting; a tenant's program can exhaust the stack.
    if (error instanceof RangeError)
      return [...problems, { at: "files", message: "are nested too deeply to type-check" }];
    throw error;
  }
  for (const diagnostic of diagnostics) problems.push(toProblem(diagnostic, undeclared, sdk));
  return problems;
}

/** Node's entry point: the `.ts` file `main` names, or the directory's package.json main or index.ts. */
function entryPointProblems(
  files: ReadonlyMap<string, string>,
  main: string,
  given: ReadonlySet<string>,
): Problem[] {
  const asTs = (path: string) => path.replace(/^(\.\/)+/, "").replace(/\.js$/, ".ts");
  let entry: string;
  if (/\.[jt]s$/.test(main)) {
    entry = asTs(main);
  } else {
    const dir = main === "" ? "" : `${main}/`;
    let packageMain: unknown;
    try {
      packageMain = (JSON.parse(files.get(`${dir}package.json`) ?? "{}") as { main?: unknown }).main;
    } catch {
      return [{ at: `files/${dir}package.json`, message: "is not JSON" }];
    }
    entry = typeof packageMain === "string" ? dir + asTs(packageMain) : `${dir}index.ts`;
  }
  return given.has(entry) ? [] : [{ at: "files", message: `has no ${entry}, the program Pulumi runs` }];
}

/** @types/node's entry file, as TypeScript resolves `/// <reference types="node" />` from the SDK. */
function resolveNodeTypes(sdk: SdkTypes): string | undefined {
  const host = diskHost(sdk);
  const { resolvedTypeReferenceDirective } = ts.resolveTypeReferenceDirective(
    "node",
    sdk.anchor,
    COMPILER_OPTIONS,
    host,
    undefined,
    typeReferenceCache,
  );
  return resolvedTypeReferenceDirective?.resolvedFileName;
}

/**
 * Ambient `any` modules for each declared dependency the check cannot type, and for Node's
 * modules when @types/node is not installed. Only names of npm's form are declared, JSON-quoted.
 */
function declaredModules(declared: ReadonlySet<string>, sdk: SdkTypes, haveNodeTypes: boolean): string {
  const modules = new Set<string>();
  for (const module of declared) if (!sdk.packages.has(module)) modules.add(module);
  if (!haveNodeTypes) for (const module of builtinModules) modules.add(module).add(`node:${module}`);
  return [...modules]
    .flatMap((m) => [`declare module ${JSON.stringify(m)};`, `declare module ${JSON.stringify(`${m}/*`)};`])
    .join("\n");
}

function compilerHost(
  sdk: SdkTypes,
  virtual: ReadonlyMap<string, string>,
  declared: ReadonlySet<string>,
  undeclared: Map<string, string>,
): ts.CompilerHost {
  const disk = diskHost(sdk);
  const inMemory = memoryHost(virtual);

  const resolveFromTemplate = (
    specifier: string,
    containingFile: string,
  ): ts.ResolvedModuleFull | undefined => {
    if (specifier.startsWith(".") || specifier.startsWith("/")) {
      const { resolvedModule } = ts.resolveModuleName(specifier, containingFile, COMPILER_OPTIONS, inMemory);
      return resolvedModule?.resolvedFileName.startsWith(ROOT) ? resolvedModule : undefined;
    }
    const pkg = npmPackageOf(specifier);
    if (sdk.packages.has(pkg)) {
      return ts.resolveModuleName(specifier, sdk.anchor, COMPILER_OPTIONS, disk, resolutionCache)
        .resolvedModule;
    }
    // Node's modules and declared dependencies resolve to ambient declarations.
    return undefined;
  };

  return {
    getSourceFile(fileName, languageVersion) {
      const text = virtual.get(fileName);
      if (text !== undefined) return ts.createSourceFile(fileName, text, languageVersion);
      if (!isReadableSdkFile(sdk, fileName)) return undefined;
      let cached = declarationCache.get(fileName);
      if (cached === undefined) {
        const declaration = ts.sys.readFile(fileName);
        if (declaration === undefined) return undefined;
        cached = ts.createSourceFile(fileName, declaration, languageVersion);
        declarationCache.set(fileName, cached);
      }
      return cached;
    },
    getDefaultLibFileName: (options) => `${sdk.libDir}/${ts.getDefaultLibFileName(options)}`,
    getDefaultLibLocation: () => sdk.libDir,
    writeFile: () => {
      throw new Error("the template check never writes files");
    },
    getCurrentDirectory: () => ROOT,
    getCanonicalFileName: (fileName) => fileName,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (fileName) => inMemory.fileExists(fileName) || disk.fileExists(fileName),
    readFile: (fileName) => inMemory.readFile(fileName) ?? disk.readFile(fileName),
    directoryExists: (dir) =>
      inMemory.directoryExists?.(dir) === true || disk.directoryExists?.(dir) === true,
    getDirectories: () => [],
    resolveModuleNameLiterals(literals, containingFile, _redirect, _options, containingSourceFile) {
      return literals.map((literal) => {
        const specifier = literal.text;
        if (!containingFile.startsWith(ROOT)) {
          // An SDK declaration importing its own dependencies.
          return ts.resolveModuleName(specifier, containingFile, COMPILER_OPTIONS, disk, resolutionCache);
        }
        const resolvedModule = resolveFromTemplate(specifier, containingFile);
        const pkg = npmPackageOf(specifier);
        const bare = !specifier.startsWith(".") && !specifier.startsWith("/");
        const builtin = specifier.startsWith("node:") || builtinModules.includes(pkg);
        if (resolvedModule === undefined && bare && !builtin && !declared.has(pkg)) {
          undeclared.set(`${containingFile}:${literal.getStart(containingSourceFile)}`, pkg);
        }
        return { resolvedModule };
      });
    },
    resolveTypeReferenceDirectiveReferences(references, containingFile) {
      return references.map((reference) => {
        const name = typeof reference === "string" ? reference : reference.fileName.toLowerCase();
        // A template may ask for Node's types, which it has anyway; the SDK for what it needs.
        if (containingFile.startsWith(ROOT) && name !== "node")
          return { resolvedTypeReferenceDirective: undefined };
        return ts.resolveTypeReferenceDirective(
          name,
          containingFile.startsWith(ROOT) ? sdk.anchor : containingFile,
          COMPILER_OPTIONS,
          disk,
          undefined,
          typeReferenceCache,
        );
      });
    },
  };
}

/** Module resolution over the template's files alone. */
function memoryHost(virtual: ReadonlyMap<string, string>): ts.ModuleResolutionHost {
  const directories = new Set<string>();
  for (const path of virtual.keys()) {
    for (let i = path.indexOf("/", 1); i !== -1; i = path.indexOf("/", i + 1))
      directories.add(path.slice(0, i));
  }
  return {
    fileExists: (fileName) => virtual.has(fileName),
    readFile: (fileName) => virtual.get(fileName),
    directoryExists: (dir) => directories.has(dir.replace(/\/$/, "")),
    getCurrentDirectory: () => ROOT,
  };
}

/** Module resolution on disk, confined to the SDK's declaration files. */
function diskHost(sdk: SdkTypes): ts.ModuleResolutionHost {
  const underRoot = (path: string) => sdk.roots.some((root) => `${path}/`.startsWith(root));
  return {
    fileExists: (fileName) => isReadableSdkFile(sdk, fileName) && ts.sys.fileExists(fileName),
    readFile: (fileName) => (isReadableSdkFile(sdk, fileName) ? ts.sys.readFile(fileName) : undefined),
    directoryExists: (dir) => underRoot(dir) && ts.sys.directoryExists(dir),
    getCurrentDirectory: () => "/",
  };
}

function toProblem(
  diagnostic: ts.Diagnostic,
  undeclared: ReadonlyMap<string, string>,
  sdk: SdkTypes,
): Problem {
  const file = diagnostic.file;
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
  if (file === undefined || !file.fileName.startsWith(ROOT)) {
    return { at: "files", message: `${withoutDirectories(message, sdk)} (TS${diagnostic.code})` };
  }
  const path = file.fileName.slice(ROOT.length);
  const start = diagnostic.start ?? 0;
  const { line, character } = file.getLineAndCharacterOfPosition(start);
  const position = { path, line: line + 1, column: character + 1 };
  const pkg = undeclared.get(`${file.fileName}:${start}`);
  if (pkg !== undefined && diagnostic.code === 2307) {
    return fileProblem(
      position,
      `imports ${pkg}, which is neither among the template's dependencies nor installed for the check; declare it in dependencies`,
    );
  }
  return fileProblem(position, `${withoutDirectories(message, sdk)} (TS${diagnostic.code})`);
}

/** Messages name files by their place in the program or the package, not the service's disk. */
function withoutDirectories(message: string, sdk: SdkTypes): string {
  let shown = message.split(ROOT).join("");
  for (const root of sdk.roots) shown = shown.split(root).join("");
  return shown;
}
