import type { JsonValue } from "@bufbuild/protobuf";
import { type Deployment, DeploymentStepName, type StackUpdateEvent } from "./platform";

/** One resource's change in a preview's plan, as the engine announced it before the step. */
export interface PlannedChange {
  readonly urn: string;
  readonly type: string;
  /** The resource's name: the URN's last part. */
  readonly name: string;
  /** The engine's operation: create, update, delete, replace, same, read, … */
  readonly op: string;
  /** The top-level properties that change (names only: the service never sends values). */
  readonly diffs: readonly string[];
  /** For a replacement, the properties that force it. */
  readonly replaces: readonly string[];
}

// A replacement comes as several steps of one URN (create-replacement, replace, delete-replaced):
// shown as one replace.
const REPLACEMENT_STEPS = new Set(["replace", "create-replacement", "delete-replaced"]);

function strings(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/**
 * The plan in a preview job's events: each resource once, in the order the engine came to it,
 * from its resourcePreEvents (src/jobs/run/event-summary.ts says what they carry).
 */
export function plannedChanges(events: readonly StackUpdateEvent[]): PlannedChange[] {
  const byUrn = new Map<string, PlannedChange>();
  for (const event of events) {
    if (event.kind !== "resourcePreEvent") continue;
    const data = event.data ?? {};
    const urn = typeof data.urn === "string" ? data.urn : "";
    const op = typeof data.op === "string" ? data.op : "";
    if (urn === "" || op === "") continue;
    const before = byUrn.get(urn);
    const replacing = REPLACEMENT_STEPS.has(op) || (before !== undefined && before.op === "replace");
    byUrn.set(urn, {
      urn,
      type: typeof data.type === "string" ? data.type : "",
      name: urn.split("::").pop() ?? urn,
      op: replacing ? "replace" : op,
      diffs: union(before?.diffs, strings(data.diffs)),
      replaces: union(before?.replaces, strings(data.replaces)),
    });
  }
  return [...byUrn.values()];
}

function union(a: readonly string[] | undefined, b: readonly string[]): string[] {
  return [...new Set([...(a ?? []), ...b])];
}

/** Whether the change does anything: `same` and `read` leave the resource as it is. */
export function changes(change: PlannedChange): boolean {
  return change.op !== "same" && change.op !== "read";
}

/** The job that ran a deployment's preview, once it started. */
export function previewJobOf(deployment: Deployment): string | undefined {
  const step = deployment.steps.find((s) => s.name === DeploymentStepName.PREVIEW && s.jobId !== "");
  return step?.jobId;
}
