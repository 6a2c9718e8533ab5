import { isAlias, isMap, isScalar, isSeq, type Node, type Scalar } from "yaml";
import type { Problem } from "../../../core/errors";
import { parseInterpolations, type Reference } from "./interpolation";
import { fileProblem, inReadingOrder } from "./problem-at";
import type { PulumiProject } from "./pulumi-project";
import {
  mapEntries,
  mapEntry,
  nodePosition,
  parseYamlFile,
  positionAt,
  type YamlFile,
} from "./yaml-document";

/** What `${pulumi.…}` offers. */
const PULUMI_PROPERTIES = new Set(["stack", "project", "organization", "cwd", "rootDirectory"]);
/** The program's sections whose values are expressions. */
const EXPRESSION_SECTIONS = ["resources", "variables", "outputs"] as const;

/**
 * Checks a Pulumi YAML program: every other YAML file parses; every resource has a type; no name
 * is declared twice; and every `${…}` in resources, variables and outputs names a resource, a
 * variable, a configuration key (declared under `config:`, or a template parameter) or a property
 * of `pulumi`. The program is Pulumi.yaml and, when there is one, Main.yaml in the `main`
 * directory; names declared in either are known in both.
 */
export function checkYamlProgram(
  files: ReadonlyMap<string, string>,
  project: PulumiProject,
  parameterNames: readonly string[],
): Problem[] {
  const problems: Problem[] = [];
  const mainFile = project.main === "" ? "Main.yaml" : `${project.main}/Main.yaml`;
  const documents: YamlFile[] = [project.file];
  for (const [path, text] of files) {
    if (path === project.file.path || !/\.ya?ml$/.test(path)) continue;
    const { file, problems: syntax } = parseYamlFile(path, text);
    problems.push(...syntax);
    if (file !== undefined && path === mainFile) documents.push(file);
  }

  const names = new Map<string, string>();
  for (const parameter of parameterNames) names.set(parameter, "configuration key");
  for (const file of documents) problems.push(...declarations(file, names));
  for (const file of documents) problems.push(...referenceProblems(file, names));
  return inReadingOrder(problems);
}

/** Records the names `file` declares (kind by name), and reports what is declared wrongly. */
function declarations(file: YamlFile, names: Map<string, string>): Problem[] {
  const root = file.document.contents;
  if (!isMap(root)) {
    return [fileProblem(nodePosition(file, root), "must be a mapping of the program's sections")];
  }
  const problems: Problem[] = [];
  const declare = (name: string, kind: string, at: Node) => {
    const earlier = names.get(name);
    // A template parameter may also be declared under config: that is the same key.
    if (earlier !== undefined && !(earlier === "configuration key" && kind === earlier)) {
      problems.push(
        fileProblem(nodePosition(file, at), `${name} is declared as a ${kind} and as a ${earlier}`),
      );
    }
    names.set(name, kind);
  };
  for (const section of ["config", "configuration"]) {
    const entry = mapEntry(root, section);
    if (entry === undefined) continue;
    if (!isMap(entry.value)) {
      problems.push(
        fileProblem(nodePosition(file, entry.value ?? entry.key), `${section} must be a mapping`),
      );
      continue;
    }
    for (const { name, key } of mapEntries(entry.value)) declare(name, "configuration key", key);
  }
  for (const section of EXPRESSION_SECTIONS) {
    const entry = mapEntry(root, section);
    if (entry === undefined) continue;
    if (!isMap(entry.value)) {
      problems.push(
        fileProblem(nodePosition(file, entry.value ?? entry.key), `${section} must be a mapping`),
      );
      continue;
    }
    if (section === "outputs") continue;
    for (const { name, key, value } of mapEntries(entry.value)) {
      if (section === "variables") {
        declare(name, "variable", key);
        continue;
      }
      declare(name, "resource", key);
      problems.push(...resourceShapeProblems(file, name, key, value));
    }
  }
  return problems;
}

function resourceShapeProblems(file: YamlFile, name: string, key: Node, value: Node | null): Problem[] {
  if (!isMap(value)) {
    return [fileProblem(nodePosition(file, value ?? key), `resource ${name} must be a mapping with a type`)];
  }
  const type = mapEntry(value, "type");
  if (type === undefined) return [fileProblem(nodePosition(file, key), `resource ${name} needs a type`)];
  if (!isScalar(type.value) || typeof type.value.value !== "string" || type.value.value.trim() === "") {
    return [
      fileProblem(nodePosition(file, type.value ?? type.key), `resource ${name}'s type must be a type token`),
    ];
  }
  return [];
}

function referenceProblems(file: YamlFile, names: ReadonlyMap<string, string>): Problem[] {
  const root = file.document.contents;
  if (!isMap(root)) return [];
  const problems: Problem[] = [];
  for (const section of EXPRESSION_SECTIONS) {
    const value = mapEntry(root, section)?.value;
    if (value === undefined || value === null) continue;
    for (const scalar of stringScalars(value)) {
      const text = String(scalar.value);
      if (!text.includes("${")) continue;
      const { references, errors } = parseInterpolations(text);
      const locate = sourceLocator(file, scalar);
      for (const reference of references) {
        const message = unresolved(reference, names);
        if (message !== undefined) problems.push(fileProblem(locate(reference.text), message));
      }
      for (const error of errors) {
        const written = text.slice(error.offset).split("\n", 1)[0] ?? "";
        problems.push(fileProblem(locate(written), error.message));
      }
    }
  }
  return problems;
}

/** Why a reference names nothing the program has, or undefined when it names something. */
function unresolved(reference: Reference, names: ReadonlyMap<string, string>): string | undefined {
  if (reference.root === "pulumi" && !names.has("pulumi")) {
    const property = reference.rest[0];
    if (typeof property === "string" && PULUMI_PROPERTIES.has(property)) return undefined;
    return `${reference.text}: pulumi has ${[...PULUMI_PROPERTIES].join(", ")}`;
  }
  if (names.has(reference.root)) return undefined;
  const suggestion = closest(reference.root, [...names.keys()]);
  return (
    `${reference.text} refers to ${reference.root}, which is not a resource, a variable or a configuration key` +
    (suggestion === undefined ? "" : `; did you mean ${suggestion}?`)
  );
}

/**
 * The string scalars under `node`, depth first. Aliases are not followed: the node they repeat is
 * checked where it is anchored. A stack rather than recursion, as the nesting is the tenant's.
 */
function stringScalars(node: Node): Scalar[] {
  const found: Scalar[] = [];
  const pending: unknown[] = [node];
  while (pending.length > 0) {
    const next = pending.pop();
    if (isAlias(next)) continue;
    if (isScalar(next)) {
      if (typeof next.value === "string") found.push(next);
    } else if (isMap(next)) {
      for (let i = next.items.length - 1; i >= 0; i--) pending.push(next.items[i]?.value);
    } else if (isSeq(next)) {
      for (let i = next.items.length - 1; i >= 0; i--) pending.push(next.items[i]);
    }
  }
  return found;
}

/**
 * Where in the file a part of a scalar's value is. The value is the source text only for plain and
 * simply quoted scalars; so each part is looked for as written in the scalar's source, in order,
 * and when escapes or folding hide it, the scalar's start stands for it.
 */
function sourceLocator(file: YamlFile, scalar: Scalar) {
  const [start, end] = scalar.range ?? [0, 0];
  const source = file.text.slice(start, end);
  let searchFrom = 0;
  return (written: string) => {
    const found = written === "" ? -1 : source.indexOf(written, searchFrom);
    if (found === -1) return positionAt(file, start);
    searchFrom = found + written.length;
    return positionAt(file, start + found);
  };
}

/**
 * The known name nearest to `name`, when it is a likely typo: within two edits, and fewer than
 * half of the name's characters (`x` is not a typo of `a`).
 */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.min(3, Math.ceil(name.length / 2));
  for (const candidate of known) {
    const distance = editDistance(name, candidate, bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, given up on (returning `limit`) once it reaches `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    if (Math.min(...current) >= limit) return limit;
    previous = current;
  }
  return Math.min(previous[b.length] ?? limit, limit);
}
