import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { StackJobs } from "./gen/stackwright/jobs/v1/jobs_pb";

export type JobsClient = Client<typeof StackJobs>;

export interface JobsClientOptions {
  /** The server's URL, e.g. `http://127.0.0.1:7420`. */
  readonly baseUrl: string;
  readonly token: string;
  /** gRPC over HTTP/2, or the Connect protocol with JSON over HTTP/1.1. */
  readonly transport: "grpc" | "connect-json";
}

/** A StackJobs client that authenticates every call. */
export function createJobsClient(options: JobsClientOptions): JobsClient {
  const interceptors = [bearer(options.token)];
  const transport =
    options.transport === "grpc"
      ? createGrpcTransport({ baseUrl: options.baseUrl, interceptors })
      : createConnectTransport({
          baseUrl: options.baseUrl,
          httpVersion: "1.1",
          useBinaryFormat: false,
          interceptors,
        });
  return createClient(StackJobs, transport);
}

function bearer(token: string): Interceptor {
  return (next) => (request) => {
    request.header.set("Authorization", `Bearer ${token}`);
    return next(request);
  };
}
