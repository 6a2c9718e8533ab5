import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { type ApiLimits, DEFAULTS } from "../config/service-config";
import type { JobService } from "../domain/job-service";
import type { PlatformContracts } from "../domain/platform-contracts";
import { looksLikeUserToken } from "../secrets/user-tokens";
import { listenDualProtocol } from "../transport/dual-protocol-server";
import { bearerCheck, bearerGate, bearerOf } from "./bearer-auth";
import { consoleAssets } from "./console-assets";
import { platformRoutes } from "./platform-routes";
import { checkRequestBodies, refuseBadBody } from "./request-body-check";
import { jobRoutes } from "./routes";

export interface ApiServerOptions {
  readonly service: JobService;
  /** The catalogue, tenant stacks and governance; not served when absent. */
  readonly platform?: PlatformContracts;
  /** The bearer token every call must carry. */
  readonly token: string;
  /** Default 127.0.0.1: the API is reachable from elsewhere only when asked for. */
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Connections and time a client may take; default: DEFAULTS.api. */
  readonly limits?: ApiLimits;
  /** Errors the service did not mean for callers (they get a bare Internal); default: stderr. */
  readonly onInternalError?: (error: unknown) => void;
  /** The web console's built files, served at `/`; default: the package's own; false: none. */
  readonly consoleDir?: string | false;
}

export interface ApiServer {
  readonly url: string;
  readonly port: number;
  /** Stops serving; open watch streams end with Unavailable. */
  close(): Promise<void>;
}

const PLATFORM_PACKAGE = "stackwright.platform.v1.";
/** Requests are small; a bound keeps a caller from making the server buffer much. */
const READ_MAX_BYTES = 4 * 1024 * 1024;
/** How long close() lets calls in flight wind down before cutting connections. */
const CLOSE_GRACE_MS = 2_000;
/** `npm run build` puts the console beside the compiled code: dist/console from dist/src/jobs/api. */
const PACKAGED_CONSOLE = join(__dirname, "..", "..", "..", "console");

/**
 * Serves the StackJobs API on one port: gRPC (HTTP/2 with prior knowledge), and Connect and
 * gRPC-Web over HTTP/1.1 or HTTP/2, JSON or binary; and the web console's files at `/`.
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? "127.0.0.1";
  const shutdown = new AbortController();
  const serviceToken = bearerCheck(options.token);
  // A user's token is looked up in the handler (the gate cannot wait for the database); here it
  // need only look like one, and only the platform's services take it.
  const mayRead = (header: Headers) => serviceToken(header) || looksLikeUserToken(bearerOf(header) ?? "");
  const jobsGate = bearerGate(serviceToken);
  const platformGate = bearerGate(mayRead);
  const onInternal = options.onInternalError ?? logInternalError;
  const routes = jobRoutes(options.service, onInternal);
  const platform = options.platform && platformRoutes(options.platform, onInternal);
  const api = connectNodeAdapter({
    routes: (router) => {
      routes(router);
      platform?.(router);
      checkRequestBodies(router, mayRead, READ_MAX_BYTES);
    },
    requestGate: (context) => {
      if (context.service.typeName.startsWith(PLATFORM_PACKAGE)) platformGate(context);
      else jobsGate(context);
      refuseBadBody(context);
    },
    shutdownSignal: shutdown.signal,
    readMaxBytes: READ_MAX_BYTES,
  });
  const assets =
    options.consoleDir === false ? undefined : consoleAssets(options.consoleDir ?? PACKAGED_CONSOLE);
  const handler: typeof api = (request, response) =>
    assets?.claims(request) ? assets.serve(request, response) : api(request, response);
  const server = await listenDualProtocol(handler, host, options.port ?? 0, options.limits ?? DEFAULTS.api);
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${server.port}`,
    port: server.port,
    close: async () => {
      shutdown.abort(new ConnectError("the server is shutting down", Code.Unavailable));
      await server.close(CLOSE_GRACE_MS);
    },
  };
}

function logInternalError(error: unknown): void {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`stackwright: api: internal error: ${text}\n`);
}
