import { useState } from "react";
import { listStacks, listTemplates } from "../../api/lists";
import { ErrorNotice, StatusNotice } from "../../components/Notice";
import { useLoaded } from "../../components/use-loaded";
import { usePageTitle } from "../../components/use-page-title";
import { useSignedIn } from "../../session/session-context";
import { StacksTable } from "./StacksTable";

export function StacksPage() {
  usePageTitle("Stacks");
  const { clients, tenant } = useSignedIn();
  const [includeDestroyed, setIncludeDestroyed] = useState(false);
  const name = tenant?.name ?? "";
  const loaded = useLoaded(
    async (signal) => {
      // The templates name the stacks' templates; the stacks hold only their ids.
      const [stacks, templates] = await Promise.all([
        listStacks(clients, name, includeDestroyed, signal),
        listTemplates(clients, name, signal),
      ]);
      return { stacks, templates: new Map(templates.map((t) => [t.id, t])) };
    },
    [clients, name, includeDestroyed],
  );

  if (tenant === undefined)
    return (
      <>
        <h1>Stacks</h1>
        <StatusNotice>You are not a member of any tenant yet: ask a tenant admin to add you.</StatusNotice>
      </>
    );
  return (
    <>
      <h1>Stacks</h1>
      <div className="filters">
        <label className="inline">
          <input
            type="checkbox"
            checked={includeDestroyed}
            onChange={(event) => setIncludeDestroyed(event.target.checked)}
          />
          Show destroyed stacks
        </label>
      </div>
      {loaded.status === "loading" && <StatusNotice>Loading stacks…</StatusNotice>}
      {loaded.status === "failed" && (
        <ErrorNotice>The stacks could not be loaded. {loaded.problem}</ErrorNotice>
      )}
      {loaded.status === "done" &&
        (loaded.value.stacks.length === 0 ? (
          <StatusNotice>This tenant has no stacks yet.</StatusNotice>
        ) : (
          <StacksTable stacks={loaded.value.stacks} templates={loaded.value.templates} />
        ))}
    </>
  );
}
