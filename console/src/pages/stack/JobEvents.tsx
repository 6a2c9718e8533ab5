import type { JsonObject } from "@bufbuild/protobuf";
import { useEffect, useState } from "react";
import type { PlatformClients } from "../../api/clients";
import { JobStatus, type StackUpdateEvent } from "../../api/platform";
import { problemText } from "../../api/problem";
import { JOB_STATUS_LABELS } from "../../components/deployment-labels";

/** The newest events kept on screen: enough to see what the engine is doing, not a full log. */
const KEPT = 40;

interface Props {
  readonly clients: PlatformClients;
  readonly tenant: string;
  readonly jobId: string;
}

/** The live events of the job running a step (WatchStackJob), as they come. */
export function JobEvents({ clients, tenant, jobId }: Props) {
  const [events, setEvents] = useState<readonly StackUpdateEvent[]>([]);
  const [problem, setProblem] = useState<string>();

  useEffect(() => {
    setEvents([]);
    setProblem(undefined);
    const abort = new AbortController();
    (async () => {
      for await (const event of clients.stacks.watchStackJob({ tenant, jobId }, { signal: abort.signal }))
        setEvents((known) => [...known, event].slice(-KEPT));
    })().catch((error: unknown) => abort.signal.aborted || setProblem(problemText(error)));
    return () => abort.abort();
  }, [clients, tenant, jobId]);

  return (
    <div className="job-events">
      <h4>
        Job <code>{jobId}</code>, live
      </h4>
      {problem !== undefined && <p className="notice">The job's events stopped coming: {problem}</p>}
      {/* The log role on a list would take the list's own meaning from its items; scrolled, the
          log takes the keyboard's focus so that it can be scrolled without a mouse. */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolled region is read by moving through it */}
      <div className="log" role="log" aria-label={`Events of job ${jobId}`} tabIndex={0}>
        <ol>
          {events.map((event) => (
            <li key={event.seq}>{eventText(event)}</li>
          ))}
        </ol>
      </div>
    </div>
  );
}

/** One line for an event: a status change, a resource's operation, or the engine's kind of event. */
function eventText(event: StackUpdateEvent): string {
  if (event.kind === "status") return `job ${JOB_STATUS_LABELS[event.status] ?? JobStatus[event.status]}`;
  const data: JsonObject = event.data ?? {};
  const urn = typeof data.urn === "string" ? data.urn : "";
  const op = typeof data.op === "string" ? data.op : "";
  const message = typeof data.message === "string" ? data.message.trim() : "";
  if (urn !== "") return `${op || event.kind} ${urn.split("::").slice(-2).join(" ")}`;
  return message === "" ? event.kind : `${event.kind}: ${message}`;
}
