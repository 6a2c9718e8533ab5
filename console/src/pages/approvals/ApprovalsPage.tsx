import { useState } from "react";
import { ErrorNotice, StatusNotice } from "../../components/Notice";
import { usePageTitle } from "../../components/use-page-title";
import { useSignedIn } from "../../session/session-context";
import { useRole } from "../../session/use-role";
import { ApprovalItem } from "./ApprovalItem";
import { useApprovals } from "./use-approvals";

/** The tenant's deployments awaiting approval, each with its plan, to approve or reject. */
export function ApprovalsPage() {
  usePageTitle("Approvals");
  const { clients, tenant } = useSignedIn();
  const tenantName = tenant?.name ?? "";
  const role = useRole();
  const { pending, reload } = useApprovals(clients, tenantName);
  const [decided, setDecided] = useState<string>();

  return (
    <>
      <h1>Approvals</h1>
      <div className="actions">
        <button type="button" className="secondary-button" onClick={reload}>
          Refresh
        </button>
      </div>
      {decided !== undefined && <StatusNotice>{decided}</StatusNotice>}
      {pending.status === "loading" && <StatusNotice>Loading the approvals…</StatusNotice>}
      {pending.status === "failed" && (
        <ErrorNotice>The approvals could not be loaded. {pending.problem}</ErrorNotice>
      )}
      {pending.status === "done" &&
        (pending.value.length === 0 ? (
          <StatusNotice>Nothing awaits approval in this tenant.</StatusNotice>
        ) : (
          <ol className="deployments" aria-label="Awaiting approval">
            {pending.value.map((d) => (
              <ApprovalItem
                key={d.id}
                clients={clients}
                tenant={tenantName}
                deployment={d}
                role={role}
                onDecided={(what) => {
                  setDecided(what);
                  reload();
                }}
              />
            ))}
          </ol>
        ))}
    </>
  );
}
