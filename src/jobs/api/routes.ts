import { Code, ConnectError, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import type { JobService } from "../domain/job-service";
import { toConnectError } from "./errors";
import { requireId, toDeployRequest, toListQuery } from "./from-request";
import { StackJobs, type StackUpdateEvent } from "./gen/stackwright/jobs/v1/jobs_pb";
import { toStackUpdate, toStackUpdateEvent } from "./to-message";
import { untilAborted } from "./until-aborted";

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

  async function* watch(
    id: string,
    afterSeq: number,
    context: HandlerContext,
  ): AsyncGenerator<StackUpdateEvent> {
    const { signal } = context;
    try {
      for await (const event of untilAborted(service.watch(requireId(id), afterSeq, signal), signal))
        yield toStackUpdateEvent(event);
    } catch (error) {
      if (!signal.aborted) throw toConnectError(error, onInternal);
    }
    // The caller went away (nobody hears this) or the server is closing: the stream must not end
    // as if the job were over.
    if (signal.aborted)
      throw ConnectError.from(signal.reason ?? new ConnectError("stream aborted", Code.Canceled));
  }

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
      watchStackUpdate: (request, context) => watch(request.id, request.afterSeq, context),
    });
  };
}
