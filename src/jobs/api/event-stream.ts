import { Code, ConnectError } from "@connectrpc/connect";
import type { JobEvent } from "../domain/job";
import { toConnectError } from "./errors";
import type { StackUpdateEvent } from "./gen/stackwright/jobs/v1/jobs_pb";
import { toStackUpdateEvent } from "./to-message";
import { untilAborted } from "./until-aborted";

/**
 * A job's events as a server stream: the service's refusals as the RPC's error; when the caller
 * goes away or the server closes, the stream ends with that reason, never as if the job were over.
 */
export async function* jobEventStream(
  events: () => Promise<AsyncIterable<JobEvent>>,
  signal: AbortSignal,
  onInternal: (error: unknown) => void,
): AsyncGenerator<StackUpdateEvent> {
  try {
    for await (const event of untilAborted(await events(), signal)) yield toStackUpdateEvent(event);
  } catch (error) {
    if (!signal.aborted) throw toConnectError(error, onInternal);
  }
  if (signal.aborted)
    throw ConnectError.from(signal.reason ?? new ConnectError("stream aborted", Code.Canceled));
}
