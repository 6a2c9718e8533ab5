import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from "node:http";
import {
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
} from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import type { ApiLimits } from "../config/service-config";
import { ConnectionGuard } from "./connection-guard";
import { createSniffingListener } from "./protocol-sniff";

export type RequestHandler = (
  request: IncomingMessage | Http2ServerRequest,
  response: ServerResponse | Http2ServerResponse,
) => void;

export interface DualProtocolServer {
  readonly port: number;
  /**
   * Stops accepting connections, lets requests in flight finish for up to `graceMs`, then cuts every
   * connection that is left, so that close() always returns.
   */
  close(graceMs: number): Promise<void>;
}

/** Concurrent streams on one HTTP/2 connection: the API's calls are few and short, but for watches. */
const MAX_STREAMS_PER_CONNECTION = 100;

/**
 * Serves `handler` over HTTP/1.1 and cleartext HTTP/2 on one port, within `limits`: at most
 * `maxConnections` open connections (more are closed on arrival, before they cost more than a
 * file descriptor for a moment), and the time limits of ConnectionGuard.
 */
export async function listenDualProtocol(
  handler: RequestHandler,
  host: string,
  port: number,
  limits: ApiLimits,
): Promise<DualProtocolServer> {
  const inFlight = new InFlight();
  const guard = new ConnectionGuard(limits);
  const serve: RequestHandler = (request, response) => {
    inFlight.add(response);
    guard.request(request, response);
    handler(request, response);
  };
  const http1 = createHttp1Server(serve);
  const http2 = createHttp2Server({ settings: { maxConcurrentStreams: MAX_STREAMS_PER_CONNECTION } }, serve);
  const sessions = new Set<Http2Session>();
  http2.on("session", (session: Http2Session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    guard.session(session);
  });
  const listener = createSniffingListener({ http1, http2 });
  listener.maxConnections = limits.maxConnections;
  const sockets = new Set<Socket>();
  listener.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    guard.accept(socket);
  });
  await new Promise<void>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen(port, host, () => {
      listener.off("error", reject);
      resolve();
    });
  });

  let closing: Promise<void> | undefined;
  const close = async (graceMs: number) => {
    const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
    // GOAWAY: clients open no new streams here, and the ones open may finish.
    for (const session of sessions) session.close();
    http1.closeIdleConnections();
    await inFlight.drained(graceMs);
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return {
    port: (listener.address() as AddressInfo).port,
    close: (graceMs) => {
      closing ??= close(graceMs);
      return closing;
    },
  };
}

/** The responses not yet finished. */
class InFlight {
  private count = 0;
  private readonly waiters = new Set<() => void>();

  add(response: ServerResponse | Http2ServerResponse): void {
    this.count++;
    response.once("close", () => {
      this.count--;
      if (this.count === 0) for (const wake of this.waiters) wake();
    });
  }

  drained(timeoutMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }
}
