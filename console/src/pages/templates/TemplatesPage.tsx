import { lazy, Suspense, useState } from "react";
import { useSearchParams } from "react-router";
import { atLeast } from "../../api/caller-role";
import { Role, type Template } from "../../api/platform";
import { ErrorNotice, StatusNotice } from "../../components/Notice";
import { usePageTitle } from "../../components/use-page-title";
import { useSignedIn } from "../../session/session-context";
import { useRole } from "../../session/use-role";
import { TemplateFilters } from "./TemplateFilters";
import { TemplatesTable } from "./TemplatesTable";
import { filterFromParams, filterTemplates, paramsFromFilter, type TemplateFilter } from "./template-filter";
import { useTemplates } from "./use-templates";

// The form library comes with the dialog, in a chunk of its own, when a deploy is first asked for.
const DeployDialog = lazy(() => import("./deploy/DeployDialog"));

export function TemplatesPage() {
  usePageTitle("Templates");
  const { clients, tenant } = useSignedIn();
  const [params, setParams] = useSearchParams();
  const filter = filterFromParams(params);
  const list = useTemplates(clients, tenant?.name ?? "");
  const change = (next: TemplateFilter) => setParams(paramsFromFilter(next), { replace: true });
  const mayDeploy = atLeast(useRole(), Role.USER);
  const [deploying, setDeploying] = useState<Template>();

  return (
    <>
      <h1>Templates</h1>
      {tenant === undefined ? (
        <StatusNotice>You are not a member of any tenant yet: ask a tenant admin to add you.</StatusNotice>
      ) : (
        <>
          <TemplateFilters filter={filter} onChange={change} />
          {list.status === "loading" && <StatusNotice>Loading templates…</StatusNotice>}
          {list.status === "failed" && (
            <ErrorNotice>The templates could not be loaded. {list.problem}</ErrorNotice>
          )}
          {list.status === "done" && (
            <Results
              shown={filterTemplates(list.value, filter)}
              total={list.value.length}
              onDeploy={mayDeploy ? setDeploying : undefined}
            />
          )}
          {deploying !== undefined && tenant !== undefined && (
            <Suspense fallback={<StatusNotice>Loading the deploy form…</StatusNotice>}>
              <DeployDialog
                clients={clients}
                tenant={tenant.name}
                template={deploying}
                onClose={() => setDeploying(undefined)}
              />
            </Suspense>
          )}
        </>
      )}
    </>
  );
}

interface ResultsProps {
  readonly shown: readonly Template[];
  readonly total: number;
  readonly onDeploy: ((template: Template) => void) | undefined;
}

function Results({ shown, total, onDeploy }: ResultsProps) {
  return (
    <>
      <StatusNotice>
        {total === 0
          ? "No templates are offered to this tenant yet."
          : `${shown.length} of ${total} template${total === 1 ? "" : "s"} shown.`}
      </StatusNotice>
      {shown.length > 0 && <TemplatesTable templates={shown} onDeploy={onDeploy} />}
    </>
  );
}
