import type { JsonValue } from "@bufbuild/protobuf";
import { JobStatus, type StackUpdateEvent } from "./gen/stackwright/jobs/v1/jobs_pb";

/**
 * A job's progress as its events tell it: the resources the engine has started on (total) and
 * those it has finished (done). Counted by URN, so replays and retries of a step count once.
 */
export class ResourceProgress {
  private readonly started = new Set<string>();
  private readonly finished = new Set<string>();
  status: JobStatus = JobStatus.UNSPECIFIED;

  /** True when the event changed what a status line shows. */
  add(event: StackUpdateEvent): boolean {
    if (event.kind === "status") {
      const changed = event.status !== this.status;
      this.status = event.status;
      return changed;
    }
    const urn = urnOf(event.data);
    if (urn === undefined) return false;
    const before = this.started.size + this.finished.size;
    if (event.kind === "resourcePreEvent") this.started.add(urn);
    if (event.kind === "resOutputsEvent") {
      // An outputs event whose pre event was missed (a watch resumed late) still counts in total.
      this.started.add(urn);
      this.finished.add(urn);
    }
    return this.started.size + this.finished.size !== before;
  }

  get total(): number {
    return this.started.size;
  }

  get done(): number {
    return this.finished.size;
  }
}

/** Resource events carry the URN at the top level or, as the engine nests it, under `metadata`. */
function urnOf(data: { [key: string]: JsonValue } | undefined): string | undefined {
  if (data === undefined) return undefined;
  if (typeof data.urn === "string") return data.urn;
  const metadata = data.metadata;
  if (metadata !== null && typeof metadata === "object" && !Array.isArray(metadata)) {
    const urn = metadata.urn;
    if (typeof urn === "string") return urn;
  }
  return undefined;
}
