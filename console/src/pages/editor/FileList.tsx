import { type FormEvent, useId, useState } from "react";
import { Dialog } from "../../components/Dialog";
import { newFilePathProblem } from "./new-file-path";
import "./editor.css";

interface Props {
  /** Sorted. */
  readonly paths: readonly string[];
  readonly current: string;
  /** A draft its user may change: files can be added and removed. */
  readonly editable: boolean;
  readonly onOpen: (path: string) => void;
  readonly onAdd: (path: string) => void;
  readonly onRemove: (path: string) => void;
}

/** The version's files, the one shown marked; in a draft, *New file…* and each file's *Remove…*. */
export function FileList({ paths, current, editable, onOpen, onAdd, onRemove }: Props) {
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<string>();
  return (
    <nav aria-label="Files" className="file-list">
      <ul>
        {paths.map((p) => (
          <li key={p} data-file={p}>
            <button
              type="button"
              className="secondary-button"
              aria-current={p === current ? "true" : undefined}
              onClick={() => onOpen(p)}
            >
              {p}
            </button>
            {editable && (
              <button
                type="button"
                className="secondary-button remove-file"
                aria-label={`Remove ${p}…`}
                onClick={() => setRemoving(p)}
              >
                Remove…
              </button>
            )}
          </li>
        ))}
      </ul>
      {editable && (
        <button type="button" className="secondary-button new-file" onClick={() => setAdding(true)}>
          New file…
        </button>
      )}
      {adding && (
        <NewFileDialog
          paths={paths}
          onAdd={(path) => {
            setAdding(false);
            onAdd(path);
          }}
          onClose={() => setAdding(false)}
        />
      )}
      {removing !== undefined && (
        <Dialog title={`Remove ${removing}?`} onClose={() => setRemoving(undefined)}>
          <p>It goes from the draft when you next save it.</p>
          <div className="actions">
            <button
              type="button"
              className="danger"
              onClick={() => {
                setRemoving(undefined);
                onRemove(removing);
              }}
            >
              Remove
            </button>
            <button type="button" className="secondary-button" onClick={() => setRemoving(undefined)}>
              Cancel
            </button>
          </div>
        </Dialog>
      )}
    </nav>
  );
}

interface NewFileProps {
  readonly paths: readonly string[];
  readonly onAdd: (path: string) => void;
  readonly onClose: () => void;
}

function NewFileDialog({ paths, onAdd, onClose }: NewFileProps) {
  const [path, setPath] = useState("");
  const [problem, setProblem] = useState<string>();
  const problemId = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const wanted = path.trim();
    const refused = newFilePathProblem(wanted, paths);
    if (refused === undefined) onAdd(wanted);
    else setProblem(refused);
  };
  return (
    <Dialog title="New file" onClose={onClose}>
      <form className="form" onSubmit={submit} noValidate>
        <label>
          Path in the template
          <input
            value={path}
            spellCheck={false}
            autoComplete="off"
            aria-invalid={problem === undefined ? undefined : true}
            aria-describedby={problem === undefined ? undefined : problemId}
            onChange={(event) => {
              setPath(event.target.value);
              setProblem(undefined);
            }}
          />
        </label>
        {problem !== undefined && (
          <p id={problemId} className="field-error">
            {problem}
          </p>
        )}
        <div className="actions">
          <button type="submit">Add file</button>
          <button type="button" className="secondary-button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
