import { ActivityFailure, ApplicationFailure, proxyActivities } from "@temporalio/workflow";
import type { DeploymentActivities } from "../domain/deployment";

/**
 * The activities as a workflow calls them. An engine step may run for as long as its job's
 * timeout; its activity heartbeats while it waits, so a worker that dies is noticed in seconds and
 * the step retried — which awaits the job it already queued rather than queueing another.
 */
export const engineSteps = proxyActivities<Pick<DeploymentActivities, "runStep">>({
  startToCloseTimeout: "24 hours",
  heartbeatTimeout: "30 seconds",
  retry: { initialInterval: "1 second", maximumInterval: "30 seconds", backoffCoefficient: 2 },
});

/** The quick bookkeeping activities: the service's database, nothing else. */
export const records = proxyActivities<Omit<DeploymentActivities, "runStep">>({
  startToCloseTimeout: "1 minute",
  retry: { initialInterval: "1 second", maximumInterval: "30 seconds", backoffCoefficient: 2 },
});

/** The message of an activity's failure, as its activity threw it. */
export function failureMessage(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure)
    return error.cause.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
