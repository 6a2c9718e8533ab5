import { useEffect, useRef } from "react";
import type { FileProblem } from "./file-problems";
import { languageOf, monaco } from "./monaco-setup";

/** A problem shown under the editor: the service's or the in-editor TypeScript check's. */
export interface EditorProblem extends FileProblem {
  readonly source: "service" | "typescript";
}

interface Props {
  /** Path → text: the template's files, each a model of its own, so that imports between them resolve. */
  readonly files: Readonly<Record<string, string>>;
  readonly path: string;
  readonly readOnly: boolean;
  readonly dark: boolean;
  /** The service's problems with the last save, as markers at their line and column. */
  readonly serviceProblems: readonly FileProblem[];
  readonly onChange: (path: string, text: string) => void;
  /** Every marker now, at each change: for the list under the editor. */
  readonly onProblems: (problems: EditorProblem[]) => void;
}

const SERVICE_OWNER = "stackwright";

// Made from its parts, not parsed: a path typed in with `#`, `?` or `%` stays the file's path.
function uriOf(path: string) {
  return monaco.Uri.from({ scheme: "file", path: `/template/${path}` });
}

/** The template's files' models, not those of other editors (a diff's) on the page. */
function templateModels(): monaco.editor.ITextModel[] {
  return monaco.editor.getModels().filter((model) => model.uri.path.startsWith("/template/"));
}

/** Monaco over the template's files: one model per file, the one at `path` shown. */
export default function CodeEditor({
  files,
  path,
  readOnly,
  dark,
  serviceProblems,
  onChange,
  onProblems,
}: Props) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<monaco.editor.IStandaloneCodeEditor>(undefined);
  const handlers = useRef({ onChange, onProblems });
  handlers.current = { onChange, onProblems };

  useEffect(() => {
    if (host.current === null) return;
    const created = monaco.editor.create(host.current, {
      automaticLayout: true,
      minimap: { enabled: false },
      fontSize: 14,
      scrollBeyondLastLine: false,
      // Monaco dims the number of the empty line after a final newline below WCAG AA's contrast.
      renderFinalNewline: "on",
      ariaLabel: "Template code",
    });
    editor.current = created;
    const changes = created.onDidChangeModelContent(() => {
      const model = created.getModel();
      if (model !== null)
        handlers.current.onChange(model.uri.path.replace(/^\/template\//, ""), model.getValue());
    });
    const markers = monaco.editor.onDidChangeMarkers(() => handlers.current.onProblems(currentProblems()));
    return () => {
      changes.dispose();
      markers.dispose();
      created.dispose();
      for (const model of templateModels()) model.dispose();
    };
  }, []);

  // The files as models: new ones made, changed ones set (not while typed in), gone ones dropped.
  useEffect(() => {
    const wanted = new Set(Object.keys(files).map((p) => uriOf(p).toString()));
    for (const model of templateModels()) if (!wanted.has(model.uri.toString())) model.dispose();
    for (const [p, text] of Object.entries(files)) {
      const model = monaco.editor.getModel(uriOf(p));
      if (model === null) monaco.editor.createModel(text, languageOf(p), uriOf(p));
      else if (model.getValue() !== text) model.setValue(text);
    }
  }, [files]);

  useEffect(() => {
    editor.current?.setModel(monaco.editor.getModel(uriOf(path)));
  }, [path]);

  useEffect(() => {
    editor.current?.updateOptions({ readOnly, domReadOnly: readOnly });
  }, [readOnly]);

  useEffect(() => {
    monaco.editor.setTheme(dark ? "vs-dark" : "vs");
  }, [dark]);

  // Again when the files change: a model made since gets its markers too.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `files` stands for the models, read through monaco
  useEffect(() => {
    for (const model of templateModels()) {
      const path = model.uri.path.replace(/^\/template\//, "");
      monaco.editor.setModelMarkers(
        model,
        SERVICE_OWNER,
        serviceProblems
          .filter((p) => p.path === path)
          .map((p) => ({
            severity: monaco.MarkerSeverity.Error,
            message: p.message,
            startLineNumber: p.line,
            startColumn: p.column,
            endLineNumber: p.line,
            endColumn: model.getLineMaxColumn(Math.min(p.line, model.getLineCount())),
          })),
      );
    }
  }, [serviceProblems, files]);

  return <div ref={host} className="code-editor" />;
}

function currentProblems(): EditorProblem[] {
  return monaco.editor
    .getModelMarkers({})
    .filter((m) => m.resource.path.startsWith("/template/") && m.severity >= monaco.MarkerSeverity.Warning)
    .map((m) => ({
      source: m.owner === SERVICE_OWNER ? "service" : "typescript",
      path: m.resource.path.replace(/^\/template\//, ""),
      line: m.startLineNumber,
      column: m.startColumn,
      message: typeof m.message === "string" ? m.message : String(m.message),
    }));
}
