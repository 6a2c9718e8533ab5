import { getTypeScriptWorker } from "monaco-editor/languages/features/typescript/register.js";
import { useEffect, useRef, useState } from "react";
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

/** TypeScript's first check of the file shown: still loading, done, or failed to start. */
type CheckerState = { state: "checking" } | { state: "checked" } | { state: "failed"; problem: string };

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

  // Whether TypeScript has checked the file shown: its worker compiles itself and loads the SDK's
  // declarations first, which takes a while after the code shows. Asked after the models are made:
  // the worker is not there before a TypeScript model is.
  const checks = languageOf(path) === "typescript";
  const [checker, setChecker] = useState<CheckerState>({ state: "checking" });
  useEffect(() => {
    if (!checks) return;
    let current = true;
    const uri = uriOf(path);
    (async () => {
      const worker = await (await getTypeScriptWorker())(uri);
      await worker.getSemanticDiagnostics(uri.toString());
      if (current) setChecker({ state: "checked" });
    })().catch((error: unknown) => {
      if (current)
        setChecker({ state: "failed", problem: error instanceof Error ? error.message : String(error) });
    });
    return () => {
      current = false;
    };
  }, [checks, path]);

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

  return (
    <div className="code-editor-pane">
      <div ref={host} className="code-editor" />
      {checks && (
        <p className="checker" role="status" data-typescript={checker.state}>
          {checker.state === "checking"
            ? "TypeScript: loading the checker and the SDK's declarations…"
            : checker.state === "checked"
              ? "TypeScript: checked, and checked again as you type."
              : `TypeScript: the checker did not start (${checker.problem}); the service still checks on save.`}
        </p>
      )}
    </div>
  );
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
