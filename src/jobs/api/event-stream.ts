import { setTimeout as sleep } from "node:timers/promises";
import { Code, ConnectError } from "@connectrpc/connect";
import { type DeploymentStatus, TERMINAL_DEPLOYMENT_STATUSES } from "../domain/deployment";
import type { JobEvent } from "../domain/job";
import { toConnectError } from "./errors";
import type { StackUpdateEvent } from "./gen/stackwright/jobs/v1/jobs_pb";
import { toStackUpdateEvent } from "./to-message";
import { untilAborted } from "./until-aborted";

/** How often a deployment's watch reads it again. */
export const DEPLOYMENT_POLL_MS = 250;

/**
 * Items as a server stream: the service's refusals (thrown by `items`, before the first item, or
 * later) as the RPC's error; when the caller goes away or the server closes, the stream ends with
 * that reason, never as if what it follows were over.
 */
export async function* serverStream<T, M>(
  items: () => Promise<AsyncIterable<T>>,
  toMessage: (item: T) => M,
  signal: AbortSignal,
  onInternal: (error: unknown) => void,
): AsyncGenerator<M> {
  try {
    for await (const item of untilAborted(await items(), signal)) yield toMessage(item);
  } catch (error) {
    if (!signal.aborted) throw toConnectError(error, onInternal);
  }
  if (signal.aborted)
    throw ConnectError.from(signal.reason ?? new ConnectError("stream aborted", Code.Canceled));
}

/** A job's events as a server stream. */
export function jobEventStream(
  events: () => Promise<AsyncIterable<JobEvent>>,
  signal: AbortSignal,
  onInternal: (error: unknown) => void,
): AsyncGenerator<StackUpdateEvent> {
  return serverStream(events, toStackUpdateEvent, signal, onInternal);
}

/**
 * A deployment (or an upgrade batch: it has a deployment's statuses) as it is (`first`), then each
 * time `read` finds it different, until a snapshot with a terminal status, which is the last.
 * `read` is the same permission-checked lookup as GetDeployment's, so a caller who loses access
 * mid-stream gets the refusal. Stops at once when `signal` aborts (the caller went away, or the
 * server is closing).
 */
export async function* deploymentSnapshots<T extends { readonly status: DeploymentStatus }>(
  first: T,
  read: () => Promise<T>,
  signal: AbortSignal,
  pollMs = DEPLOYMENT_POLL_MS,
): AsyncGenerator<T> {
  let deployment = first;
  let last = "";
  for (;;) {
    const text = JSON.stringify(deployment);
    if (text !== last) {
      last = text;
      yield deployment;
    }
    if (TERMINAL_DEPLOYMENT_STATUSES.has(deployment.status)) return;
    try {
      await sleep(pollMs, undefined, { signal });
    } catch {
      return;
    }
    deployment = await read();
  }
}
