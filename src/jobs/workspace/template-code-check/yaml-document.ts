import { type Document, isMap, isScalar, LineCounter, type Node, parseDocument, type YAMLMap } from "yaml";
import type { Problem } from "../../../core/errors";
import { fileProblem } from "./problem-at";

/**
 * A YAML file of a template, parsed into its syntax tree (never into data: aliases are not
 * expanded, so a billion-laughs document costs its own size), with what maps offsets to lines.
 */
export interface YamlFile {
  readonly path: string;
  readonly text: string;
  readonly document: Document.Parsed;
  readonly lines: LineCounter;
}

/** Parses `text`; every syntax error at its line and column, or the parsed file. */
export function parseYamlFile(path: string, text: string): { file?: YamlFile; problems: Problem[] } {
  const lines = new LineCounter();
  let document: Document.Parsed;
  try {
    document = parseDocument(text, {
      lineCounter: lines,
      prettyErrors: false,
      uniqueKeys: true,
      strict: true,
      version: "1.2",
    });
  } catch (error) {
    // The parser recurses per level of nesting: `[[[[…` some thousands deep exhausts the stack.
    if (error instanceof RangeError)
      return { problems: [fileProblem({ path }, "is nested too deeply to parse")] };
    throw error;
  }
  const file: YamlFile = { path, text, document, lines };
  if (document.errors.length > 0) {
    // The parser catches a stack overflow itself and records it at every level it unwinds through.
    const overflow = document.errors.find((e) => e.message.includes("Maximum call stack size exceeded"));
    if (overflow !== undefined) {
      return { problems: [fileProblem(positionAt(file, overflow.pos[0]), "is nested too deeply to parse")] };
    }
    return {
      problems: document.errors.map((error) =>
        fileProblem(positionAt(file, error.pos[0]), error.message.split("\n", 1)[0] ?? error.message),
      ),
    };
  }
  return { file, problems: [] };
}

/** The file position of a character offset in the file's text. */
export function positionAt(file: Pick<YamlFile, "path" | "lines">, offset: number) {
  const { line, col } = file.lines.linePos(offset);
  // linePos is 0 for the line when the text has no newline before the offset.
  return { path: file.path, line: Math.max(line, 1), column: Math.max(col, 1) };
}

/** Where a node starts in its file. */
export function nodePosition(file: YamlFile, node: Node | null | undefined) {
  return positionAt(file, node?.range?.[0] ?? 0);
}

/** The value node under a plain string key of a map, and the key node itself. */
export function mapEntry(map: YAMLMap, key: string): { key?: Node; value?: Node | null } | undefined {
  for (const pair of map.items) {
    if (isScalar(pair.key) && pair.key.value === key) {
      return { key: pair.key, value: pair.value as Node | null };
    }
  }
  return undefined;
}

/** The entries of a map node as (name, key node, value node), names being the keys' text. */
export function mapEntries(node: unknown): { name: string; key: Node; value: Node | null }[] {
  if (!isMap(node)) return [];
  const entries: { name: string; key: Node; value: Node | null }[] = [];
  for (const pair of node.items) {
    if (isScalar(pair.key)) {
      entries.push({ name: String(pair.key.value), key: pair.key, value: pair.value as Node | null });
    }
  }
  return entries;
}
