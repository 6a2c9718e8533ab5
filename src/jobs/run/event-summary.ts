import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { ChangeSummary } from "../domain/job";
import { POLICY_FINDING_EVENT, type PolicyFinding } from "../domain/policy-pack";

/** One engine event as a job records it. */
export interface RecordedEvent {
  readonly kind: string;
  readonly data: Record<string, unknown>;
}

/**
 * The part of an engine event worth keeping, or undefined for noise (stdout echoes); counts each
 * finished resource step into `tally` by its operation, when there is one to count into. A
 * resourcePreEvent keeps the names of the properties that change (`diffs`, always there, empty for a
 * step that changes none) and, for a replacement's steps, those forcing it (`replaces`).
 */
export function summarizeEvent(event: EngineEvent, tally?: ChangeSummary): RecordedEvent | undefined {
  const step =
    event.resourcePreEvent?.metadata ?? event.resOutputsEvent?.metadata ?? event.resOpFailedEvent?.metadata;
  if (event.resourcePreEvent && step)
    return {
      kind: "resourcePreEvent",
      data: {
        urn: step.urn,
        type: step.type,
        op: step.op,
        diffs: propertyNames(step.diffs),
        ...(REPLACING_OPS.has(step.op) && { replaces: propertyNames(step.keys) }),
      },
    };
  if (event.resOutputsEvent && step) {
    if (tally) tally[step.op] = (tally[step.op] ?? 0) + 1;
    return { kind: "resOutputsEvent", data: { urn: step.urn, type: step.type, op: step.op } };
  }
  if (event.resOpFailedEvent && step)
    return { kind: "resOpFailedEvent", data: { urn: step.urn, type: step.type, op: step.op } };
  if (event.diagnosticEvent) {
    const d = event.diagnosticEvent;
    if (d.ephemeral) return undefined;
    return {
      kind: "diagnosticEvent",
      data: { severity: d.severity, message: d.message.trim(), ...(d.urn && { urn: d.urn }) },
    };
  }
  if (event.summaryEvent)
    return {
      kind: "summaryEvent",
      data: {
        resourceChanges: event.summaryEvent.resourceChanges,
        durationSeconds: event.summaryEvent.durationSeconds,
        maybeCorrupt: event.summaryEvent.maybeCorrupt,
      },
    };
  if (event.policyEvent) {
    const p = event.policyEvent;
    const finding: PolicyFinding = {
      pack: p.policyPackName,
      packVersion: p.policyPackVersion,
      policy: p.policyName,
      enforcement: p.enforcementLevel,
      resource: p.resourceUrn ?? "",
      message: p.message.trim(),
    };
    return { kind: POLICY_FINDING_EVENT, data: { ...finding } };
  }
  if (event.cancelEvent) return { kind: "cancelEvent", data: {} };
  if (event.preludeEvent) return { kind: "preludeEvent", data: {} };
  return undefined;
}

/** The operations of a replacement: the engine announces each, with the properties forcing it. */
const REPLACING_OPS: ReadonlySet<string> = new Set(["replace", "create-replacement", "delete-replaced"]);

/**
 * The engine's property keys of a step (`diffs`, `keys`): top-level names only, never values —
 * a value may be secret, and the metadata's old and new states carry them in plain.
 */
function propertyNames(keys: readonly unknown[] | undefined): string[] {
  return [...new Set((keys ?? []).filter((key): key is string => typeof key === "string"))];
}

/** A step the engine only planned: a preview's, or the preview an up runs first (update-plan.ts). */
export function isPlannedStep(event: EngineEvent): boolean {
  return event.resourcePreEvent?.planning === true || event.resOutputsEvent?.planning === true;
}

/** The engine's summary of resource changes, without the operations it left out. */
export function changeCounts(map: Record<string, number | undefined> | undefined): ChangeSummary | null {
  if (!map) return null;
  const out: ChangeSummary = {};
  for (const [op, n] of Object.entries(map)) if (typeof n === "number") out[op] = n;
  return out;
}

/** A tally as a job stores it: null when nothing was counted. */
export function nonEmpty(tally: ChangeSummary): ChangeSummary | null {
  return Object.keys(tally).length > 0 ? { ...tally } : null;
}
