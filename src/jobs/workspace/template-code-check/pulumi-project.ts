import { isMap, isScalar, type YAMLMap } from "yaml";
import type { Problem } from "../../../core/errors";
import type { TemplateLanguage } from "../../domain/catalogue";
import { fileProblem } from "./problem-at";
import { unsafePathReason } from "./template-files";
import { mapEntry, nodePosition, parseYamlFile, type YamlFile } from "./yaml-document";

export const PROJECT_FILE = "Pulumi.yaml";

/** The runtime Pulumi.yaml must name for each language. */
export const RUNTIME_OF: Readonly<Record<TemplateLanguage, string>> = {
  typescript: "nodejs",
  python: "python",
  yaml: "yaml",
};

export interface PulumiProject {
  readonly file: YamlFile;
  readonly root: YAMLMap;
  /** The program's directory (Pulumi.yaml's `main`), `""` for the root, or the file `main` names. */
  readonly main: string;
}

/**
 * Reads the template's Pulumi.yaml: present, one YAML mapping with a `name`, a `runtime` that is
 * the language's, and, when given, a `main` inside the program.
 */
export function readPulumiProject(
  files: ReadonlyMap<string, string>,
  language: TemplateLanguage,
): { project?: PulumiProject; problems: Problem[] } {
  const text = files.get(PROJECT_FILE);
  if (text === undefined) {
    return { problems: [{ at: "files", message: `has no ${PROJECT_FILE} at the program's root` }] };
  }
  const { file, problems } = parseYamlFile(PROJECT_FILE, text);
  if (file === undefined) return { problems };
  const root = file.document.contents;
  if (!isMap(root)) {
    return {
      problems: [fileProblem(nodePosition(file, root), "must be a mapping with a name and a runtime")],
    };
  }

  const name = mapEntry(root, "name");
  if (!isScalar(name?.value) || typeof name.value.value !== "string" || name.value.value.trim() === "") {
    problems.push(fileProblem(nodePosition(file, name?.value ?? root), "needs a name, a non-empty string"));
  }
  problems.push(...runtimeProblems(file, root, language));
  const { main, problem } = readMain(file, root);
  if (problem !== undefined) problems.push(problem);
  return { project: { file, root, main }, problems };
}

/** `runtime: nodejs`, or `runtime: {name: nodejs, options: …}`. */
function runtimeProblems(file: YamlFile, root: YAMLMap, language: TemplateLanguage): Problem[] {
  const expected = RUNTIME_OF[language];
  const entry = mapEntry(root, "runtime");
  if (entry === undefined) {
    return [
      fileProblem(nodePosition(file, root), `has no runtime; a ${language} template runs on ${expected}`),
    ];
  }
  const nameNode = isMap(entry.value) ? mapEntry(entry.value, "name")?.value : entry.value;
  const runtime = isScalar(nameNode) ? nameNode.value : undefined;
  if (runtime === expected) return [];
  const given = typeof runtime === "string" ? `"${runtime}"` : "not a runtime name";
  return [
    fileProblem(
      nodePosition(file, nameNode ?? entry.value ?? entry.key),
      `runtime is ${given}; a ${language} template runs on "${expected}"`,
    ),
  ];
}

function readMain(file: YamlFile, root: YAMLMap): { main: string; problem?: Problem } {
  const entry = mapEntry(root, "main");
  if (entry === undefined) return { main: "" };
  const value = isScalar(entry.value) ? entry.value.value : undefined;
  if (typeof value !== "string") {
    return {
      main: "",
      problem: fileProblem(nodePosition(file, entry.value ?? entry.key), "main must be a path"),
    };
  }
  // Pulumi accepts `./src` and `src/` alike.
  const main = value.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
  if (main === "" || main === ".") return { main: "" };
  const reason = unsafePathReason(main);
  if (reason === undefined) return { main };
  return {
    main: "",
    problem: fileProblem(nodePosition(file, entry.value), `main ${reason}`),
  };
}
