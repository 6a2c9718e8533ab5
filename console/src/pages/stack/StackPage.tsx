import { useState } from "react";
import { Link, useParams } from "react-router";
import { atLeast } from "../../api/caller-role";
import { Role, StackStatus } from "../../api/platform";
import { ROUTES } from "../../app/routes";
import { ErrorNotice, StatusNotice } from "../../components/Notice";
import { StatusBadge } from "../../components/StatusBadge";
import { usePageTitle } from "../../components/use-page-title";
import { when } from "../../components/when";
import { useSignedIn } from "../../session/session-context";
import { useRole } from "../../session/use-role";
import { DeploymentItem } from "./DeploymentItem";
import { DestroyDialog } from "./DestroyDialog";
import { useStack } from "./use-stack";
import { ValueList } from "./ValueList";

/** A stack: its status, outputs and parameters, its deployments (live while one runs), and destroy. */
export function StackPage() {
  const name = useParams().name ?? "";
  usePageTitle(`Stack ${name}`);
  const { clients, tenant } = useSignedIn();
  const tenantName = tenant?.name ?? "";
  const role = useRole();
  const { view, reload } = useStack(clients, tenantName, name);
  const [destroying, setDestroying] = useState(false);

  if (view.status === "loading")
    return (
      <>
        <h1>Stack {name}</h1>
        <StatusNotice>Loading the stack…</StatusNotice>
      </>
    );
  if (view.status === "failed")
    return (
      <>
        <h1>Stack {name}</h1>
        <ErrorNotice>The stack could not be loaded. {view.problem}</ErrorNotice>
        <p>
          <Link to={ROUTES.stacks}>Back to the stacks</Link>
        </p>
      </>
    );

  const { stack, deployments, destroyed } = view.value;
  const mayDestroy = atLeast(role, Role.TENANT_ADMIN);
  const destroyable = stack.status !== StackStatus.DESTROYED && stack.status !== StackStatus.DESTROYING;
  return (
    <>
      <p className="breadcrumb">
        <Link to={ROUTES.stacks}>Stacks</Link> /
      </p>
      <h1>
        Stack {stack.name} <StatusBadge status={stack.status} />
      </h1>
      <p className="secondary">
        version {stack.templateVersion} · last deployed {when(stack.deployedAt, "never")}
        {stack.deployedBy !== "" && ` by ${stack.deployedBy}`}
      </p>
      {stack.error !== "" && <ErrorNotice>{stack.error}</ErrorNotice>}
      <div className="actions">
        {destroyable && (
          <button
            type="button"
            className="danger"
            disabled={!mayDestroy}
            aria-describedby={mayDestroy ? undefined : "destroy-why"}
            onClick={() => setDestroying(true)}
          >
            Destroy…
          </button>
        )}
        {destroyable && !mayDestroy && (
          <span id="destroy-why" className="notice">
            Destroying a stack needs the Tenant Admin role.
          </span>
        )}
      </div>
      <section aria-labelledby="outputs-heading">
        <h2 id="outputs-heading">Outputs</h2>
        <ValueList label="Outputs" values={stack.outputs} empty="No outputs." />
      </section>
      <section aria-labelledby="parameters-heading">
        <h2 id="parameters-heading">Parameters</h2>
        <ValueList label="Parameters" values={stack.parameters} empty="No parameters." />
      </section>
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">Deployments</h2>
        {destroyed && (
          <p className="notice">
            The stack is destroyed; its deployments stay, until another stack takes its name.
          </p>
        )}
        {deployments.length === 0 ? (
          <StatusNotice>No deployments yet.</StatusNotice>
        ) : (
          <ol className="deployments">
            {deployments.map((d) => (
              <DeploymentItem key={d.id} clients={clients} tenant={tenantName} deployment={d} />
            ))}
          </ol>
        )}
      </section>
      {destroying && (
        <DestroyDialog
          clients={clients}
          tenant={tenantName}
          stack={stack.name}
          onClose={() => setDestroying(false)}
          onStarted={() => {
            setDestroying(false);
            reload();
          }}
        />
      )}
    </>
  );
}
