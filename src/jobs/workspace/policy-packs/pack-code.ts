import { compileFunction } from "node:vm";
import ts from "typescript";
import type { Problem } from "../../../core/errors";
import type { PolicyPackLanguage } from "../../domain/policy-pack";
import { fileProblem } from "../template-code-check/problem-at";
import { readTemplateFiles } from "../template-code-check/template-files";

/** The file that builds the pack's PolicyPack, by language. */
export const PACK_MAIN: Readonly<Record<PolicyPackLanguage, string>> = {
  javascript: "index.js",
  typescript: "index.ts",
};

/**
 * Files the service writes into every pack itself (policy-pack-workspaces.ts): a pack that
 * brought its own would replace what makes it run, or name a registry npm would fetch from.
 */
export const RESERVED_PACK_FILES = [
  "package.json",
  "package-lock.json",
  "PulumiPolicy.yaml",
  ".npmrc",
  "stackwright-policy-entry.js",
];

/** CommonJS, as the engine's Node.js plugin host loads a pack. */
const COMPILER_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
};

export interface PackCode {
  readonly problems: Problem[];
  /** The pack's files as the engine runs them: TypeScript compiled to JavaScript, by path. */
  readonly runnable: ReadonlyMap<string, string>;
}

/**
 * Checks a pack's files — their paths and sizes as a template's, its main file there, nothing in
 * the service's reserved names, every script parsing — and gives them in the form the engine runs.
 * TypeScript is compiled once here rather than on every preview (the engine's own TypeScript
 * support type-checks with ts-node each time it loads a pack, seconds per run); its types are not
 * checked.
 */
export function checkPackCode(language: PolicyPackLanguage, files: unknown): PackCode {
  const read = readTemplateFiles(files);
  const problems = read.problems.map((p) =>
    p.message.includes("a template needs Pulumi.yaml")
      ? { at: "files", message: `is empty; a policy pack needs ${PACK_MAIN[language]}` }
      : p,
  );
  const runnable = new Map<string, string>();
  if (read.checkable === undefined) return { problems, runnable };
  if (!read.given.has(PACK_MAIN[language]))
    problems.push({
      at: "files",
      message: `has no ${PACK_MAIN[language]}, the file that builds the PolicyPack`,
    });
  for (const [path, text] of read.checkable) {
    if (RESERVED_PACK_FILES.includes(path) || path === "node_modules" || path.startsWith("node_modules/")) {
      problems.push(fileProblem({ path }, "is written by the service into every pack; leave it out"));
      continue;
    }
    if (language === "typescript" && /\.m?ts$/.test(path) && !path.endsWith(".d.ts")) {
      const compiled = compileTypeScript(path, text);
      problems.push(...compiled.problems);
      runnable.set(path.replace(/ts$/, "js"), compiled.output);
    } else if (/\.c?js$/.test(path)) {
      problems.push(...parseProblems(path, text));
      runnable.set(path, text);
    } else runnable.set(path, text);
  }
  return { problems, runnable };
}

function compileTypeScript(path: string, text: string): { problems: Problem[]; output: string } {
  const result = ts.transpileModule(text, {
    fileName: path,
    reportDiagnostics: true,
    compilerOptions: COMPILER_OPTIONS,
  });
  const problems = (result.diagnostics ?? []).map((d) => {
    const at =
      d.file !== undefined && d.start !== undefined
        ? d.file.getLineAndCharacterOfPosition(d.start)
        : undefined;
    return fileProblem(
      { path, ...(at !== undefined && { line: at.line + 1, column: at.character + 1 }) },
      ts.flattenDiagnosticMessageText(d.messageText, " "),
    );
  });
  return { problems, output: result.outputText };
}

/** A CommonJS file's syntax errors, found by compiling it as Node would wrap it (never run). */
function parseProblems(path: string, text: string): Problem[] {
  try {
    compileFunction(text, ["exports", "require", "module", "__filename", "__dirname"], { filename: path });
    return [];
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const line = /:(\d+)\n/.exec(error.stack ?? "")?.[1];
    return [fileProblem({ path, ...(line !== undefined && { line: Number(line) }) }, error.message)];
  }
}
