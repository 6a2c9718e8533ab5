import type { ConnectRouter } from "@connectrpc/connect";
import type { JobService } from "../domain/job-service";
import { toConnectError } from "./errors";
import { jobEventStream } from "./event-stream";
import { requireId, toDeployRequest, toListQuery } from "./from-request";
import { StackJobs } from "./gen/stackwright/jobs/v1/jobs_pb";
import { toStackUpdate } from "./to-message";

/** The StackJobs RPCs, served from a JobService. */
export function jobRoutes(
  service: JobService,
  onInternal: (error: unknown) => void,
): (router: ConnectRouter) => void {
  const answer = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw toConnectError(error, onInternal);
    }
  };

  return (router: ConnectRouter): void => {
    router.service(StackJobs, {
      deployCloudResource: (request) =>
        answer(async () => ({ update: toStackUpdate(await service.deploy(toDeployRequest(request))) })),
      getStackUpdate: (request) =>
        answer(async () => toStackUpdate(await service.get(requireId(request.id)))),
      listStackUpdates: (request) =>
        answer(async () => {
          const page = await service.list(toListQuery(request));
          return { updates: page.jobs.map(toStackUpdate), nextPageToken: page.nextPageToken };
        }),
      cancelStackUpdate: (request) =>
        answer(async () => toStackUpdate(await service.cancel(requireId(request.id)))),
      watchStackUpdate: (request, context) =>
        jobEventStream(
          async () => service.watch(requireId(request.id), request.afterSeq, context.signal),
          context.signal,
          onInternal,
        ),
    });
  };
}
