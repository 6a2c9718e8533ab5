import type { JsonObject } from "@bufbuild/protobuf";
import { useEffect, useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { atLeast } from "../../api/caller-role";
import { type FieldProblem, fieldProblems } from "../../api/field-problems";
import { Role, type TemplateVersion, type TemplateView, VersionState } from "../../api/platform";
import { problemText } from "../../api/problem";
import { ROUTES } from "../../app/routes";
import { ErrorNotice, StatusNotice } from "../../components/Notice";
import { useColorScheme } from "../../components/theme";
import { lazyModule, useModule } from "../../components/use-module";
import { usePageTitle } from "../../components/use-page-title";
import { useSignedIn } from "../../session/session-context";
import { useRole } from "../../session/use-role";
import type { EditorProblem } from "./CodeEditor";
import { FileList } from "./FileList";
import { type FileProblem, sortDraftProblems } from "./file-problems";
import { ParametersPanel } from "./ParametersPanel";
import { PreviewPanel } from "./PreviewPanel";
import { useTemplate } from "./use-template";
import { VersionDiff } from "./VersionDiff";
import { VersionsTable } from "./VersionsTable";

// Monaco and the SDK's declarations: a chunk of their own, asked for as soon as this page's own
// chunk runs, so that it comes while the template does.
const codeEditor = lazyModule(() => import("./CodeEditor"));
codeEditor.load().catch(() => {
  // Shown where the editor would be.
});

/** What the user edits: the version's files, dependencies and parameters' schema (as JSON text). */
interface Draft {
  readonly files: Record<string, string>;
  readonly dependencies: Record<string, string>;
  readonly parameters: string;
}

function draftOf(version: TemplateVersion | undefined): Draft {
  return {
    files: { ...(version?.source?.files ?? {}) },
    dependencies: { ...(version?.source?.dependencies ?? {}) },
    parameters: JSON.stringify(version?.source?.parameters ?? { type: "object", properties: {} }, null, 2),
  };
}

/** A draft's content as one comparable text: whether the editor holds changes not saved. */
function draftText(draft: Draft): string {
  const sorted = (record: Record<string, string>) =>
    Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([sorted(draft.files), sorted(draft.dependencies), draft.parameters]);
}

/** The file to show first: the program's entry point when there is one. */
function firstFile(files: Record<string, string>): string {
  const paths = Object.keys(files).sort();
  return ["index.ts", "__main__.py", "Pulumi.yaml"].find((p) => p in files) ?? paths[0] ?? "";
}

/** Whether the caller may change the template: its owner tenant's Tenant Admins, or Provider Admins. */
function mayManage(view: TemplateView, role: Role | undefined): boolean {
  return atLeast(role, view.template?.ownerTenantId === "" ? Role.PROVIDER_ADMIN : Role.TENANT_ADMIN);
}

export function TemplateEditorPage() {
  const id = useParams().id ?? "";
  const { clients, tenant } = useSignedIn();
  const role = useRole();
  const { view, reload } = useTemplate(clients, tenant?.name ?? "", id);
  usePageTitle(view.status === "done" ? `Template ${view.value.template?.name ?? id}` : "Template");

  if (view.status === "loading") return <StatusNotice>Loading the template…</StatusNotice>;
  if (view.status === "failed")
    return (
      <>
        <h1>Template</h1>
        <ErrorNotice>The template could not be loaded. {view.problem}</ErrorNotice>
        <Link to={ROUTES.templates}>Back to the templates</Link>
      </>
    );
  return <Editor view={view.value} manage={mayManage(view.value, role)} reload={reload} />;
}

interface EditorProps {
  readonly view: TemplateView;
  readonly manage: boolean;
  readonly reload: () => void;
}

function Editor({ view, manage, reload }: EditorProps) {
  const { clients, tenant } = useSignedIn();
  const template = view.template;
  const versions = useMemo(() => [...view.versions].sort((a, b) => b.version - a.version), [view.versions]);
  const [selected, setSelected] = useState(versions[0]?.version ?? 0);
  const version = versions.find((v) => v.version === selected) ?? versions[0];
  const [draft, setDraft] = useState<Draft>(() => draftOf(version));
  const [path, setPath] = useState(() => firstFile(draft.files));
  const [serviceProblems, setServiceProblems] = useState<readonly FileProblem[]>([]);
  const [otherProblems, setOtherProblems] = useState<readonly FieldProblem[]>([]);
  const [editorProblems, setEditorProblems] = useState<readonly EditorProblem[]>([]);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string>();
  const dark = useColorScheme() === "dark";
  const editorModule = useModule(codeEditor);

  // Another version chosen, or the template read again: its text replaces what is shown.
  useEffect(() => {
    const next = draftOf(version);
    setDraft(next);
    setPath((current) => (current in next.files ? current : firstFile(next.files)));
  }, [version]);

  const editable = manage && version?.state === VersionState.DRAFT;
  const hasDraft = versions.some((v) => v.state === VersionState.DRAFT);

  const run = async (what: () => Promise<string>) => {
    setBusy(true);
    setNotice(undefined);
    try {
      setNotice(await what());
      setServiceProblems([]);
      setOtherProblems([]);
      reload();
    } catch (error) {
      const sorted = sortDraftProblems(fieldProblems(error));
      setServiceProblems(sorted.files);
      setOtherProblems(
        sorted.files.length + sorted.other.length > 0
          ? sorted.other
          : [{ at: "", message: problemText(error) }],
      );
    } finally {
      setBusy(false);
    }
  };

  const save = () =>
    run(async () => {
      let parameters: JsonObject;
      try {
        parameters = JSON.parse(draft.parameters) as JsonObject;
      } catch (error) {
        throw new Error(`parameters: not JSON (${(error as Error).message})`);
      }
      const saved = await clients.catalog.saveDraft({
        template: template?.id ?? "",
        source: { files: draft.files, dependencies: draft.dependencies, parameters },
      });
      return `Draft v${saved.version} saved: the service found no problem.`;
    });
  const publish = () =>
    run(async () => {
      const published = await clients.catalog.publishTemplate({ template: template?.id ?? "" });
      return `Published v${published.version} (${published.contentHash}).`;
    });
  const newDraft = () =>
    run(async () => {
      const started = await clients.catalog.saveDraft({ template: template?.id ?? "" });
      setSelected(started.version);
      return `Draft v${started.version} started from the newest version.`;
    });

  const addFile = (added: string) => {
    setDraft((d) => ({ ...d, files: { ...d.files, [added]: "" } }));
    setPath(added);
  };
  const removeFile = (removed: string) => {
    const { [removed]: _, ...files } = draft.files;
    setDraft((d) => ({ ...d, files }));
    if (removed === path) setPath(firstFile(files));
  };

  const problems = [
    ...editorProblems,
    ...otherProblems.map((p) => ({
      source: "service" as const,
      path: "",
      line: 0,
      column: 0,
      message: p.at === "" ? p.message : `${p.at}: ${p.message}`,
    })),
  ];
  return (
    <>
      <p className="breadcrumb">
        <Link to={ROUTES.templates}>Templates</Link> /
      </p>
      <h1>Template {template?.displayName || template?.name}</h1>
      <div className="actions">
        <label className="inline-label">
          Version{" "}
          <select value={version?.version ?? 0} onChange={(event) => setSelected(Number(event.target.value))}>
            {versions.map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version} ({VersionState[v.state].toLowerCase()})
              </option>
            ))}
          </select>
        </label>
        {editable && (
          <>
            <button type="button" disabled={busy} onClick={save}>
              Save draft
            </button>
            <button type="button" disabled={busy} onClick={publish}>
              Publish
            </button>
          </>
        )}
        {manage && !hasDraft && (
          <button type="button" disabled={busy} onClick={newDraft}>
            New draft
          </button>
        )}
        {!editable && (
          <span className="notice">
            {manage
              ? "A published version is read-only."
              : "Read-only: changing this template needs a role you do not hold."}
          </span>
        )}
      </div>
      {notice !== undefined && <StatusNotice>{notice}</StatusNotice>}
      <div className="editor-layout">
        <FileList
          paths={Object.keys(draft.files).sort()}
          current={path}
          editable={editable}
          onOpen={setPath}
          onAdd={addFile}
          onRemove={removeFile}
        />
        {editorModule.status === "done" ? (
          <editorModule.value.default
            files={draft.files}
            path={path}
            readOnly={!editable}
            dark={dark}
            serviceProblems={serviceProblems}
            onChange={(p, text) => setDraft((d) => ({ ...d, files: { ...d.files, [p]: text } }))}
            onProblems={setEditorProblems}
          />
        ) : editorModule.status === "loading" ? (
          <StatusNotice>Loading the editor…</StatusNotice>
        ) : (
          <ErrorNotice>The editor could not be loaded. {editorModule.problem}</ErrorNotice>
        )}
      </div>
      <section aria-labelledby="problems-heading">
        <h2 id="problems-heading">Problems</h2>
        {problems.length === 0 ? (
          <p className="notice" role="status">
            No problems.
          </p>
        ) : (
          <ul className="problems" aria-live="polite">
            {problems.map((p, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the list is made anew at each change
              <li key={i} data-source={p.source}>
                {p.path !== "" && (
                  <code>
                    {p.path}:{p.line}:{p.column}
                  </code>
                )}{" "}
                {p.message}{" "}
                <span className="secondary-inline">
                  ({p.source === "service" ? "the service" : "TypeScript"})
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="preview-heading">
        <h2 id="preview-heading">Preview</h2>
        {template !== undefined && version !== undefined && (
          <PreviewPanel
            clients={clients}
            tenant={tenant?.name ?? ""}
            templateId={template.id}
            version={version}
            unsaved={draftText(draft) !== draftText(draftOf(version))}
          />
        )}
      </section>
      <section aria-labelledby="parameters-heading">
        <h2 id="parameters-heading">Parameters</h2>
        <ParametersPanel schema={version?.source?.parameters} />
        {editable && (
          <label className="block-label">
            Parameters schema (JSON Schema)
            <textarea
              value={draft.parameters}
              rows={8}
              spellCheck={false}
              onChange={(event) => setDraft((d) => ({ ...d, parameters: event.target.value }))}
            />
          </label>
        )}
      </section>
      <section aria-labelledby="versions-heading">
        <h2 id="versions-heading">Versions</h2>
        <VersionsTable versions={versions} onSelect={setSelected} />
      </section>
      <VersionDiff versions={versions} dark={dark} />
    </>
  );
}
