import { useEffect, useRef } from "react";
import { monaco, readOnlyLanguageOf } from "./monaco-setup";

export interface FileDiffProps {
  /** Which file (or `parameters.json`): its language is read from it. */
  readonly path: string;
  /** The older version's text; empty when the file is new. */
  readonly before: string;
  /** The newer version's text; empty when the file is gone. */
  readonly after: string;
  readonly beforeLabel: string;
  readonly afterLabel: string;
  readonly dark: boolean;
}

/** Monaco's diff editor, read-only: one file in two versions, side by side (inline when narrow). */
export default function FileDiff({ path, before, after, beforeLabel, afterLabel, dark }: FileDiffProps) {
  const host = useRef<HTMLDivElement>(null);
  const diff = useRef<monaco.editor.IStandaloneDiffEditor>(undefined);
  const models = useRef<monaco.editor.IDiffEditorModel>(undefined);

  useEffect(() => {
    if (host.current === null) return;
    const created = monaco.editor.createDiffEditor(host.current, {
      readOnly: true,
      originalEditable: false,
      automaticLayout: true,
      minimap: { enabled: false },
      fontSize: 14,
      scrollBeyondLastLine: false,
      renderOverviewRuler: false,
    });
    diff.current = created;
    return () => {
      // The models let go of before they are disposed: Monaco's diff editor insists.
      created.setModel(null);
      dispose(models.current);
      models.current = undefined;
      created.dispose();
    };
  }, []);

  useEffect(() => {
    const editor = diff.current;
    if (editor === undefined) return;
    const language = readOnlyLanguageOf(path);
    const previous = models.current;
    models.current = {
      original: monaco.editor.createModel(before, language),
      modified: monaco.editor.createModel(after, language),
    };
    editor.setModel(models.current);
    dispose(previous);
    editor.getOriginalEditor().updateOptions({ ariaLabel: `${path}, ${beforeLabel}` });
    editor.getModifiedEditor().updateOptions({ ariaLabel: `${path}, ${afterLabel}` });
  }, [path, before, after, beforeLabel, afterLabel]);

  useEffect(() => {
    monaco.editor.setTheme(dark ? "vs-dark" : "vs");
  }, [dark]);

  return <div ref={host} className="file-diff" data-path={path} />;
}

function dispose(models: monaco.editor.IDiffEditorModel | undefined): void {
  models?.original.dispose();
  models?.modified.dispose();
}
