import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { parseYaml, toYaml } from "../../../core/yaml";
import type { TemplateLanguage } from "../../domain/catalogue";

export const PROJECT_FILE = "Pulumi.yaml";

/** The runtime Pulumi.yaml names for each language. */
const RUNTIME_OF: Readonly<Record<TemplateLanguage, string>> = {
  typescript: "nodejs",
  python: "python",
  yaml: "yaml",
};

export interface PulumiProjectFile {
  readonly runtime: string;
  readonly project: string;
  /** The whole file, as data. */
  readonly document: Readonly<Record<string, unknown>>;
}

/**
 * Reads a program's Pulumi.yaml: its project name, and a runtime that is the language's. A
 * published version was checked when it was saved; this only refuses what the workspace could
 * not run.
 */
export function readProjectFile(text: string | undefined, language: TemplateLanguage): PulumiProjectFile {
  if (text === undefined) throw new Error(`the template has no ${PROJECT_FILE}`);
  const document = parseYaml(text);
  if (document === null || typeof document !== "object" || Array.isArray(document))
    throw new Error(`${PROJECT_FILE} is not a mapping`);
  const { name, runtime } = document as Record<string, unknown>;
  if (typeof name !== "string" || name === "") throw new Error(`${PROJECT_FILE} has no name`);
  const runtimeName =
    runtime !== null && typeof runtime === "object" ? (runtime as Record<string, unknown>).name : runtime;
  if (runtimeName !== RUNTIME_OF[language])
    throw new Error(
      `${PROJECT_FILE}'s runtime is ${String(runtimeName)}; a ${language} template runs on ${RUNTIME_OF[language]}`,
    );
  return { runtime: runtimeName, project: name, document: document as Record<string, unknown> };
}

/**
 * Pulumi.yaml with the Python runtime told to run the program in `virtualenv` (an absolute path)
 * with pip: the Python language host then runs that virtualenv's interpreter, whatever the
 * template's own file named (its `toolchain` could have been uv or poetry, which would install
 * again).
 */
export function withVirtualenv(project: PulumiProjectFile, virtualenv: string): string {
  const runtime = project.document.runtime;
  const options =
    runtime !== null && typeof runtime === "object"
      ? (runtime as Record<string, unknown>).options
      : undefined;
  const kept = options !== null && typeof options === "object" ? (options as Record<string, unknown>) : {};
  return toYaml({
    ...project.document,
    runtime: { name: "python", options: { ...kept, toolchain: "pip", virtualenv } },
  });
}

/** The virtualenv Pulumi.yaml's runtime names, if any. */
export function virtualenvOf(project: PulumiProjectFile): unknown {
  const runtime = project.document.runtime;
  if (runtime === null || typeof runtime !== "object") return undefined;
  const options = (runtime as Record<string, unknown>).options;
  return options !== null && typeof options === "object"
    ? (options as Record<string, unknown>).virtualenv
    : undefined;
}

/**
 * Writes the program's files under `dir`. Their paths were checked when the version was saved;
 * they are checked again here because this is where a bad one would write outside the program.
 * `reserved` names top-level entries the workspace itself puts there (node_modules).
 */
export async function writeProgramFiles(
  dir: string,
  files: Readonly<Record<string, string>>,
  reserved: readonly string[],
): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    const segments = path.split("/");
    if (
      path.startsWith("/") ||
      path.includes("\\") ||
      segments.some((s) => s === "" || s === "." || s === "..")
    )
      throw new Error(
        `the template's file ${JSON.stringify(path)} is not a relative path inside the program`,
      );
    if (reserved.includes(segments[0] as string))
      throw new Error(
        `the template's file ${JSON.stringify(path)} is where the workspace puts ${segments[0]}`,
      );
    const target = join(dir, ...segments);
    await mkdir(dirname(target), { recursive: true });
    // "wx": never through a file or link already there.
    await writeFile(target, text, { flag: "wx", mode: 0o644 });
  }
}
