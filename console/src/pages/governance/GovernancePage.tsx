import type { JsonObject } from "@bufbuild/protobuf";
import { useState } from "react";
import { atLeast } from "../../api/caller-role";
import { listTemplates } from "../../api/lists";
import { Role, type Template } from "../../api/platform";
import { ListTable } from "../../components/ListTable";
import { ErrorNotice, StatusNotice } from "../../components/Notice";
import { useReloadable } from "../../components/use-loaded";
import { usePageTitle } from "../../components/use-page-title";
import { useSignedIn } from "../../session/session-context";
import { useRole } from "../../session/use-role";
import { ConstraintDialog } from "./ConstraintDialog";
import { summary } from "./constraint-form";

const COLUMNS = ["Template", "Allowed", "Max instances", "Parameter limits", "Actions"];

/**
 * The tenant's governance: each template's constraint in this tenant (allowed or not, max
 * instances, parameter limits). Its members may read them; a Provider Admin sets them.
 */
export function GovernancePage() {
  usePageTitle("Governance");
  const { clients, tenant } = useSignedIn();
  const name = tenant?.name ?? "";
  const mayManage = atLeast(useRole(), Role.PROVIDER_ADMIN);
  const [editing, setEditing] = useState<Template>();
  const { loaded, reload } = useReloadable(
    async (signal) => {
      const [templates, { constraints }] = await Promise.all([
        listTemplates(clients, name, signal),
        clients.governance.listConstraints({ tenant: name }, { signal }),
      ]);
      return { templates, constraints: new Map(constraints.map((c) => [c.templateId, c.constraint])) };
    },
    [clients, name],
  );

  return (
    <>
      <h1>Governance</h1>
      <p>
        What this tenant may deploy, and within which limits.{" "}
        {mayManage ? "" : "Only a Provider Admin changes these."}
      </p>
      {loaded.status === "loading" && <StatusNotice>Loading the constraints…</StatusNotice>}
      {loaded.status === "failed" && (
        <ErrorNotice>The constraints could not be loaded. {loaded.problem}</ErrorNotice>
      )}
      {loaded.status === "done" && (
        <ListTable caption="Constraints by template" columns={COLUMNS}>
          {loaded.value.templates.map((t) => {
            const constraint: JsonObject | undefined = loaded.value.constraints.get(t.id);
            return (
              <tr key={t.id} data-template={t.name}>
                <th scope="row">{t.displayName || t.name}</th>
                <td>{constraint?.allowed === false ? "no" : "yes"}</td>
                <td>{typeof constraint?.maxInstances === "number" ? constraint.maxInstances : "no limit"}</td>
                <td>{summary(constraint)}</td>
                <td>
                  {mayManage && (
                    <button
                      type="button"
                      aria-label={`Edit the constraint on ${t.displayName || t.name}`}
                      onClick={() => setEditing(t)}
                    >
                      Edit…
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </ListTable>
      )}
      {editing !== undefined && loaded.status === "done" && (
        <ConstraintDialog
          clients={clients}
          tenant={name}
          template={editing}
          constraint={loaded.value.constraints.get(editing.id)}
          onClose={() => setEditing(undefined)}
          onChanged={() => {
            setEditing(undefined);
            reload();
          }}
        />
      )}
    </>
  );
}
