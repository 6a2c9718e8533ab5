import { useEffect, useState } from "react";
import type { PlatformClients } from "../api/clients";
import { changes, type PlannedChange, plannedChanges } from "../api/planned-changes";
import { JobStatus, type StackUpdateEvent } from "../api/platform";
import { problemText } from "../api/problem";
import { ListTable } from "./ListTable";
import { StatusNotice } from "./Notice";

interface Props {
  readonly clients: PlatformClients;
  readonly tenant: string;
  /** The preview job whose plan is shown. */
  readonly jobId: string;
}

/** The sign `pulumi preview` puts before each kind of change, beside its word. */
const SIGNS: Record<string, string> = {
  create: "+",
  update: "~",
  delete: "−",
  replace: "±",
  import: "=",
};

const COLUMNS = ["Change", "Resource", "Type", "Properties that change"];

/**
 * A preview's plan, resource by resource: what each would become (create, update, replace,
 * delete) and which of its properties change. Read from the preview job's events, live while it
 * runs; the service sends property names, never their values.
 */
export function PlanDiff({ clients, tenant, jobId }: Props) {
  const [events, setEvents] = useState<readonly StackUpdateEvent[]>([]);
  const [ended, setEnded] = useState(false);
  const [problem, setProblem] = useState<string>();

  useEffect(() => {
    setEvents([]);
    setEnded(false);
    setProblem(undefined);
    const abort = new AbortController();
    (async () => {
      for await (const event of clients.stacks.watchStackJob({ tenant, jobId }, { signal: abort.signal }))
        setEvents((known) => [...known, event]);
      setEnded(true);
    })().catch((error: unknown) => abort.signal.aborted || setProblem(problemText(error)));
    return () => abort.abort();
  }, [clients, tenant, jobId]);

  const planned = plannedChanges(events);
  const changing = planned.filter(changes);
  const unchanged = planned.length - changing.length;
  const failed = events.some(
    (e) => e.kind === "status" && (e.status === JobStatus.FAILED || e.status === JobStatus.CANCELED),
  );

  if (problem !== undefined) return <p className="notice">The plan could not be read: {problem}</p>;
  if (!ended && planned.length === 0) return <StatusNotice>Reading the plan…</StatusNotice>;
  return (
    <div className="plan-diff" data-job={jobId}>
      {changing.length === 0 ? (
        <p>{failed ? "The preview failed before it planned any change." : "No resource changes."}</p>
      ) : (
        <ListTable caption={`Planned changes of job ${jobId}`} columns={COLUMNS}>
          {changing.map((change) => (
            <ChangeRow key={change.urn} change={change} />
          ))}
        </ListTable>
      )}
      {unchanged > 0 && (
        <p className="secondary">
          {unchanged} {unchanged === 1 ? "resource stays" : "resources stay"} as{" "}
          {unchanged === 1 ? "it is" : "they are"}.
        </p>
      )}
      {!ended && <StatusNotice>The preview is still running…</StatusNotice>}
    </div>
  );
}

function ChangeRow({ change }: { change: PlannedChange }) {
  return (
    <tr data-op={change.op} data-resource={change.name}>
      <th scope="row">
        <span className={`op op-${change.op}`} aria-hidden="true">
          {SIGNS[change.op] ?? "•"}
        </span>{" "}
        {change.op}
      </th>
      <td>
        <code>{change.name}</code>
      </td>
      <td>
        <code>{change.type}</code>
      </td>
      <td>
        {change.diffs.map((property, i) => (
          <span key={property}>
            {i > 0 && ", "}
            <code>{property}</code>
            {change.replaces.includes(property) && " (forces replacement)"}
          </span>
        ))}
      </td>
    </tr>
  );
}
