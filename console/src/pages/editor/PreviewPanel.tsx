import { useEffect, useId, useState } from "react";
import { Link } from "react-router";
import type { PlatformClients } from "../../api/clients";
import { listStacks } from "../../api/lists";
import { previewJobOf } from "../../api/planned-changes";
import { type Deployment, StackStatus, type TemplateVersion, VersionState } from "../../api/platform";
import { problemText } from "../../api/problem";
import { stackPath } from "../../app/routes";
import { DEPLOYMENT_STATUS } from "../../components/deployment-labels";
import { ErrorNotice, StatusNotice } from "../../components/Notice";
import { PlanDiff } from "../../components/PlanDiff";
import { Badge } from "../../components/StatusBadge";
import { useLoaded } from "../../components/use-loaded";

interface Props {
  readonly clients: PlatformClients;
  readonly tenant: string;
  readonly templateId: string;
  readonly version: TemplateVersion;
  /** The editor holds changes not saved: the service previews the draft as saved. */
  readonly unsaved: boolean;
}

/**
 * What deploying this version would change on one of the tenant's stacks of the template: a
 * preview (PreviewStack with the version) whose plan is shown resource by resource. The stack
 * keeps its version; nothing is applied.
 */
export function PreviewPanel({ clients, tenant, templateId, version, unsaved }: Props) {
  const selectId = useId();
  const stacks = useLoaded(
    async (signal) =>
      (await listStacks(clients, tenant, false, signal)).filter(
        (s) => s.templateId === templateId && s.status !== StackStatus.DESTROYED,
      ),
    [clients, tenant, templateId],
  );
  const [chosen, setChosen] = useState("");
  const [deployment, setDeployment] = useState<Deployment>();
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);

  const names = stacks.status === "done" ? stacks.value.map((s) => s.name) : [];
  const stack = names.includes(chosen) ? chosen : (names[0] ?? "");

  // The preview's deployment followed until it ends: its preview step's job carries the plan.
  const deploymentId = deployment?.id;
  useEffect(() => {
    if (deploymentId === undefined) return;
    const abort = new AbortController();
    (async () => {
      for await (const snapshot of clients.stacks.watchDeployment(
        { tenant, deploymentId },
        { signal: abort.signal },
      ))
        setDeployment(snapshot);
    })().catch((error: unknown) => abort.signal.aborted || setProblem(problemText(error)));
    return () => abort.abort();
  }, [clients, tenant, deploymentId]);

  const preview = async () => {
    setBusy(true);
    setProblem(undefined);
    setDeployment(undefined);
    try {
      const started = await clients.stacks.previewStack({ tenant, name: stack, version: version.version });
      setDeployment(started.deployment);
    } catch (error) {
      setProblem(problemText(error));
    } finally {
      setBusy(false);
    }
  };

  if (stacks.status === "loading") return <StatusNotice>Looking for stacks of this template…</StatusNotice>;
  if (stacks.status === "failed")
    return <ErrorNotice>The tenant's stacks could not be listed. {stacks.problem}</ErrorNotice>;
  if (names.length === 0)
    return (
      <p className="notice">
        Tenant {tenant} has no stack of this template yet: deploy one from the templates page, then preview
        what a new version would change on it.
      </p>
    );
  const waitsForSave = unsaved && version.state === VersionState.DRAFT;
  const jobId = deployment === undefined ? undefined : previewJobOf(deployment);
  const status = deployment === undefined ? undefined : DEPLOYMENT_STATUS[deployment.status];
  return (
    <>
      <div className="actions">
        <label htmlFor={selectId}>Stack</label>
        <select id={selectId} value={stack} onChange={(event) => setChosen(event.target.value)}>
          {names.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <button type="button" disabled={busy || waitsForSave} onClick={preview}>
          Preview v{version.version}
        </button>
        {waitsForSave && (
          <span className="notice">Save the draft first: the service previews it as saved.</span>
        )}
      </div>
      {problem !== undefined && <ErrorNotice>{problem}</ErrorNotice>}
      {deployment !== undefined && status !== undefined && (
        <div className="preview-result" data-deployment={deployment.id}>
          <p>
            Preview of <Link to={stackPath(deployment.stackName)}>{deployment.stackName}</Link> with v
            {deployment.templateVersion}: <Badge label={status.label} tone={status.tone} />
          </p>
          {deployment.error !== "" && <p className="notice-error">{deployment.error}</p>}
          {jobId !== undefined && <PlanDiff clients={clients} tenant={tenant} jobId={jobId} />}
        </div>
      )}
    </>
  );
}
