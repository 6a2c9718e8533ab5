import { type FormEvent, useState } from "react";
import type { PlatformClients } from "../../api/clients";
import { problemText } from "../../api/problem";
import { Dialog } from "../../components/Dialog";
import { ErrorNotice } from "../../components/Notice";

interface Props {
  readonly clients: PlatformClients;
  readonly tenant: string;
  readonly stack: string;
  readonly onClose: () => void;
  /** The destroy started. */
  readonly onStarted: () => void;
}

/** Destroying cannot be undone: the user types the stack's name to say they mean this stack. */
export function DestroyDialog({ clients, tenant, stack, onClose, onStarted }: Props) {
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      await clients.stacks.destroyStack({ tenant, name: stack });
      onStarted();
    } catch (error) {
      setProblem(problemText(error));
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Destroy ${stack}?`} onClose={onClose}>
      <form onSubmit={submit} className="form">
        <p>
          Every resource of the stack is deleted. This cannot be undone. Type <strong>{stack}</strong> to
          confirm.
        </p>
        <label>
          Stack name
          <input
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            autoComplete="off"
            spellCheck={false}
          />
        </label>
        {problem !== undefined && <ErrorNotice>{problem}</ErrorNotice>}
        <div className="actions">
          <button type="button" className="secondary-button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="danger" disabled={busy || typed !== stack}>
            {busy ? "Destroying…" : "Destroy"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
