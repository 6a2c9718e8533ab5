import type { Problem } from "../../../core/errors";
import { isTemplateLanguage, type TemplateLanguage } from "../../domain/catalogue";
import { PROJECT_FILE, readPulumiProject } from "./pulumi-project";
import { checkPythonProgram } from "./python-check";
import { readTemplateFiles } from "./template-files";
import { checkTypeScriptInThread } from "./typescript-thread";
import { checkYamlProgram } from "./yaml-program-check";

export { TEMPLATE_FILE_LIMITS } from "./template-files";

/** A template's code, as a version holds it. */
export interface TemplateCode {
  readonly language: TemplateLanguage;
  /** The program's files by relative path, Pulumi.yaml included. */
  readonly files: Readonly<Record<string, string>>;
  /** npm packages for TypeScript, PyPI packages for Python, none for YAML: name → version. */
  readonly dependencies: Readonly<Record<string, string>>;
  /** The parameter schema: its property names are the stack's configuration keys. */
  readonly parameters: { readonly properties: Readonly<Record<string, unknown>> };
}

export interface TemplateCodeCheckOptions {
  /** The Python interpreter that compiles Python templates: `python3` on PATH unless given. */
  readonly python?: string;
  /** How long compiling a Python template's files may take, in milliseconds (20 s by default). */
  readonly pythonTimeoutMs?: number;
}

/**
 * Checks a template's code before it is saved: the files' paths and sizes, Pulumi.yaml and its
 * runtime, then the program in its language — TypeScript type-checked against the Pulumi SDK's
 * types, Python compiled, Pulumi YAML parsed and its references resolved. Returns every problem
 * found, each at `files/<path>:<line>:<column>` when it has a place in a file. The template's code
 * is never run and nothing is written. Throws only when the check itself cannot be made (no
 * Python interpreter, say), never for bad code.
 */
export async function checkTemplateCode(
  input: TemplateCode,
  options: TemplateCodeCheckOptions = {},
): Promise<Problem[]> {
  const { language } = input;
  if (!isTemplateLanguage(language)) {
    return [{ at: "language", message: "must be one of typescript, python, yaml" }];
  }
  const { problems, checkable, given } = readTemplateFiles(input.files);
  if (checkable === undefined) return problems;

  // A Pulumi.yaml refused for its size is reported as such, not also as missing.
  if (!checkable.has(PROJECT_FILE) && given.has(PROJECT_FILE)) return problems;
  const project = readPulumiProject(checkable, language);
  problems.push(...project.problems);
  if (project.project === undefined) return problems;
  // Which dependencies a template may declare is the catalogue's rule (src/catalog/dependencies.ts);
  // here they only say which imports are the template's to answer for.
  const dependencies = (plainObject(input.dependencies) ?? {}) as Record<string, string>;
  const main = project.project.main;
  switch (language) {
    case "typescript": {
      // In a thread of its own, loaded on first use: most of the service never needs its 9 MB.
      problems.push(...(await checkTypeScriptInThread(checkable, dependencies, main, given)));
      break;
    }
    case "python":
      problems.push(
        ...(await checkPythonProgram(checkable, main, given, {
          python: options.python,
          timeoutMs: options.pythonTimeoutMs,
        })),
      );
      break;
    case "yaml": {
      const parameterNames = Object.keys(plainObject(input.parameters?.properties) ?? {});
      problems.push(...checkYamlProgram(checkable, project.project, parameterNames));
      break;
    }
  }
  return problems;
}

function plainObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
