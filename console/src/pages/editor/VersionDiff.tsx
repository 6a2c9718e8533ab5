import { useId, useMemo, useState } from "react";
import { type TemplateVersion, VersionState } from "../../api/platform";
import { ListTable } from "../../components/ListTable";
import { ErrorNotice, StatusNotice } from "../../components/Notice";
import { Badge, type Tone } from "../../components/StatusBadge";
import { lazyModule, useModule } from "../../components/use-module";
import { type Change, type ComparedSource, versionChanges } from "./version-changes";
import "./editor.css";
import type { FileDiffProps } from "./FileDiff";

// Monaco's diff editor comes with the editor's own chunk, asked for when a diff is first shown.
const fileDiff = lazyModule(() => import("./FileDiff"));

const TONE: Record<Change, Tone> = { added: "good", removed: "bad", changed: "progress" };

interface Props {
  /** Newest first. */
  readonly versions: readonly TemplateVersion[];
  readonly dark: boolean;
}

function label(version: TemplateVersion): string {
  return `v${version.version} (${VersionState[version.state].toLowerCase()})`;
}

function sourceOf(version: TemplateVersion): ComparedSource {
  return {
    files: version.source?.files ?? {},
    dependencies: version.source?.dependencies ?? {},
    parameters: version.source?.parameters ?? {},
  };
}

/** Two versions of the template side by side: which files, dependencies and parameters changed. */
export function VersionDiff({ versions, dark }: Props) {
  // Until chosen (or when the chosen one is gone): the newest version and the one before it.
  const [chosenFrom, setFrom] = useState<number>();
  const [chosenTo, setTo] = useState<number>();
  const before = versions.find((v) => v.version === chosenFrom) ?? versions[1];
  const after = versions.find((v) => v.version === chosenTo) ?? versions[0];
  const from = before?.version ?? 0;
  const to = after?.version ?? 0;
  const fromId = useId();
  const toId = useId();
  const choice = (id: string, value: number, set: (version: number) => void, name: string) => (
    <span className="inline-label">
      <label htmlFor={id}>{name}</label>{" "}
      <select id={id} value={value} onChange={(event) => set(Number(event.target.value))}>
        {versions.map((v) => (
          <option key={v.version} value={v.version}>
            {label(v)}
          </option>
        ))}
      </select>
    </span>
  );
  return (
    <section aria-labelledby="compare-heading" className="version-diff">
      <h2 id="compare-heading">Compare versions</h2>
      {versions.length < 2 ? (
        <p className="notice">This template has one version: nothing to compare yet.</p>
      ) : (
        <>
          <div className="actions">
            {choice(fromId, from, setFrom, "From")}
            {choice(toId, to, setTo, "To")}
          </div>
          {before === undefined || after === undefined || from === to ? (
            <p className="notice">Choose two different versions.</p>
          ) : (
            <Changes key={`${from}-${to}`} before={before} after={after} dark={dark} />
          )}
        </>
      )}
    </section>
  );
}

interface ChangesProps {
  readonly before: TemplateVersion;
  readonly after: TemplateVersion;
  readonly dark: boolean;
}

function Changes({ before, after, dark }: ChangesProps) {
  const changes = useMemo(() => versionChanges(sourceOf(before), sourceOf(after)), [before, after]);
  // Nothing in Monaco until asked for: each diff is an editor or two to make.
  const [shown, setShown] = useState<string>();
  const [schemaShown, setSchemaShown] = useState(false);
  const file = changes.files.find((c) => c.key === shown);
  const labels = { beforeLabel: label(before), afterLabel: label(after) };
  const count = (change: Change) => changes.files.filter((c) => c.change === change).length;
  return (
    <>
      <h3>Files</h3>
      <p className="notice">
        {count("changed")} changed, {count("added")} added, {count("removed")} removed;{" "}
        {changes.unchangedFiles} unchanged.{changes.files.length > 0 && " Choose one to see its diff."}
      </p>
      {changes.files.length > 0 && (
        <ul className="file-changes" aria-label="Files changed">
          {changes.files.map((c) => (
            <li key={c.key} data-path={c.key} data-change={c.change}>
              <button
                type="button"
                className="secondary-button"
                aria-current={c.key === shown ? "true" : undefined}
                onClick={() => setShown(c.key)}
              >
                {c.key}
              </button>{" "}
              <Badge label={c.change} tone={TONE[c.change]} />
            </li>
          ))}
        </ul>
      )}
      {file !== undefined && (
        <Diff path={file.key} before={file.before ?? ""} after={file.after ?? ""} dark={dark} {...labels} />
      )}
      <h3>Dependencies</h3>
      {changes.dependencies.length === 0 ? (
        <p className="notice">No dependency changed.</p>
      ) : (
        <ListTable
          caption="Dependencies changed"
          columns={["Package", "Change", labels.beforeLabel, labels.afterLabel]}
        >
          {changes.dependencies.map((c) => (
            <tr key={c.key} data-dependency={c.key}>
              <th scope="row">
                <code>{c.key}</code>
              </th>
              <td>
                <Badge label={c.change} tone={TONE[c.change]} />
              </td>
              <td>{c.before ?? "—"}</td>
              <td>{c.after ?? "—"}</td>
            </tr>
          ))}
        </ListTable>
      )}
      <h3>Parameters</h3>
      {!changes.parameters.changed ? (
        <p className="notice">The parameters' schema is the same.</p>
      ) : schemaShown ? (
        <Diff
          path="parameters.json"
          before={changes.parameters.before}
          after={changes.parameters.after}
          dark={dark}
          {...labels}
        />
      ) : (
        <p>
          The parameters' schema changed.{" "}
          <button type="button" className="secondary-button" onClick={() => setSchemaShown(true)}>
            Show the schema's diff
          </button>
        </p>
      )}
    </>
  );
}

/** One file's diff, or the schema's, once Monaco is in; named for screen readers by its path. */
function Diff(props: FileDiffProps) {
  const module = useModule(fileDiff);
  const id = useId();
  if (module.status === "loading") return <StatusNotice>Loading the diff…</StatusNotice>;
  if (module.status === "failed")
    return <ErrorNotice>The diff could not be loaded. {module.problem}</ErrorNotice>;
  const FileDiff = module.value.default;
  return (
    <figure className="diff-figure" aria-labelledby={id}>
      <figcaption id={id}>
        <code>{props.path}</code> from {props.beforeLabel} to {props.afterLabel}
      </figcaption>
      <FileDiff {...props} />
    </figure>
  );
}
