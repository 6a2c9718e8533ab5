import type { IncomingMessage, ServerResponse } from "node:http";
import { constants, type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from "node:http2";
import type { Socket } from "node:net";
import type { ApiLimits } from "../config/service-config";

/**
 * Time limits on what a client owes the server, the same for HTTP/1.1 and HTTP/2. The sniffing
 * listener hands each connection to an http and an http2 server that never listen themselves,
 * so their own header and keep-alive timers never run; without these limits a client that sends
 * half a header and stops keeps its connection, and its file descriptor, forever.
 *
 * - A new connection must have sent its first request's headers within `headersTimeoutMs`.
 * - A request must have sent its body within `headersTimeoutMs` of its headers.
 * - A connection with no request in progress is closed after `idleTimeoutMs`. A request in
 *   progress is never cut: a WatchStackUpdate stream may rightly stay quiet for minutes.
 */
export class ConnectionGuard {
  private readonly bySocket = new WeakMap<Socket, Connection>();
  /** Remote address and port → connection: an HTTP/2 session shows its socket only through a proxy. */
  private readonly byPeer = new Map<string, Connection>();

  constructor(private readonly limits: ApiLimits) {}

  accept(socket: Socket): void {
    const peer = peerOf(socket);
    const connection = new Connection(() => socket.destroy(), this.limits);
    this.bySocket.set(socket, connection);
    this.byPeer.set(peer, connection);
    socket.once("close", () => {
      connection.close();
      if (this.byPeer.get(peer) === connection) this.byPeer.delete(peer);
    });
  }

  /** An HTTP/2 session on an accepted connection: each of its streams is a request in progress. */
  session(session: Http2Session): void {
    const connection = this.byPeer.get(peerOf(session.socket));
    if (connection === undefined) return;
    session.on("stream", (stream) => {
      connection.begin();
      stream.once("close", () => connection.end());
    });
  }

  /** A request whose headers arrived: its body is due within the header timeout. */
  request(
    request: IncomingMessage | Http2ServerRequest,
    response: ServerResponse | Http2ServerResponse,
  ): void {
    const http1 = "httpVersionMajor" in request && request.httpVersionMajor === 1;
    const connection = http1 ? this.bySocket.get(request.socket as Socket) : undefined;
    connection?.begin();
    const late = setTimeout(() => {
      if ("stream" in request) request.stream.close(constants.NGHTTP2_CANCEL);
      else request.socket.destroy();
    }, this.limits.headersTimeoutMs);
    late.unref();
    request.once("end", () => clearTimeout(late));
    response.once("close", () => {
      clearTimeout(late);
      connection?.end();
    });
  }
}

class Connection {
  private active = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly destroy: () => void,
    private readonly limits: ApiLimits,
  ) {
    this.arm(limits.headersTimeoutMs);
  }

  begin(): void {
    this.active++;
    clearTimeout(this.timer);
  }

  end(): void {
    this.active--;
    if (this.active === 0) this.arm(this.limits.idleTimeoutMs);
  }

  close(): void {
    clearTimeout(this.timer);
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(this.destroy, ms);
    this.timer.unref();
  }
}

function peerOf(socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }): string {
  return `${socket.remoteAddress}|${socket.remotePort}`;
}
