import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { StackJobs } from "./gen/stackwright/jobs/v1/jobs_pb";
import { Governance, TemplateCatalog, TenantStacks } from "./gen/stackwright/platform/v1/platform_pb";
import { PolicyPacks } from "./gen/stackwright/platform/v1/policy_packs_pb";
import { Upgrades } from "./gen/stackwright/platform/v1/upgrades_pb";

export type JobsClient = Client<typeof StackJobs>;

/** The platform's services, on one connection. */
export interface PlatformClient {
  readonly catalog: Client<typeof TemplateCatalog>;
  readonly stacks: Client<typeof TenantStacks>;
  readonly governance: Client<typeof Governance>;
  readonly policies: Client<typeof PolicyPacks>;
  readonly upgrades: Client<typeof Upgrades>;
}

export interface JobsClientOptions {
  /** The server's URL, e.g. `http://127.0.0.1:7420`. */
  readonly baseUrl: string;
  readonly token: string;
  /** gRPC over HTTP/2, or the Connect protocol with JSON over HTTP/1.1. */
  readonly transport: "grpc" | "connect-json";
}

/** A StackJobs client that authenticates every call. */
export function createJobsClient(options: JobsClientOptions): JobsClient {
  return clientOf(StackJobs, options);
}

/** Clients of the catalogue, tenant stacks and governance that authenticate every call. */
export function createPlatformClient(options: JobsClientOptions): PlatformClient {
  return {
    catalog: clientOf(TemplateCatalog, options),
    stacks: clientOf(TenantStacks, options),
    governance: clientOf(Governance, options),
    policies: clientOf(PolicyPacks, options),
    upgrades: clientOf(Upgrades, options),
  };
}

function clientOf<S extends DescService>(service: S, options: JobsClientOptions): Client<S> {
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
  return createClient(service, transport);
}

function bearer(token: string): Interceptor {
  return (next) => (request) => {
    request.header.set("Authorization", `Bearer ${token}`);
    return next(request);
  };
}
