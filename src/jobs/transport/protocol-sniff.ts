import { createServer, type Server, type Socket } from "node:net";

/** What every HTTP/2 connection with prior knowledge starts with (RFC 9113, section 3.4). */
const HTTP2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

export interface ProtocolTargets {
  /** Anything with `emit("connection", socket)`: an http or an http2 server. */
  readonly http1: { emit(event: "connection", socket: Socket): boolean };
  readonly http2: { emit(event: "connection", socket: Socket): boolean };
}

/**
 * One cleartext listener for HTTP/1.1 and HTTP/2: gRPC clients speak HTTP/2 with prior knowledge,
 * while Connect JSON and gRPC-Web clients usually speak HTTP/1.1, and without TLS there is no ALPN
 * to tell them apart. So the first bytes decide: the HTTP/2 preface, or anything else. How long
 * a client may take to say anything is the caller's limit (see connection-guard.ts).
 */
export function createSniffingListener(targets: ProtocolTargets): Server {
  // No Nagle delay: an answer written in two pieces (headers, body) would wait for the client's
  // delayed ACK, tens of milliseconds. An http server sets this itself, but it does not accept
  // these sockets.
  return createServer({ noDelay: true }, (socket) => {
    let seen = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      const compared = Math.min(seen.length, HTTP2_PREFACE.length);
      const http2 = seen.subarray(0, compared).equals(HTTP2_PREFACE.subarray(0, compared));
      if (http2 && seen.length < HTTP2_PREFACE.length) return;
      socket.off("data", onData);
      socket.off("error", onError);
      // Paused, so nothing is read while nobody listens; and the chosen server must see the
      // connection from its first byte.
      socket.pause();
      socket.unshift(seen);
      if (http2) {
        // The HTTP/2 session takes the buffered bytes and reads the socket itself.
        targets.http2.emit("connection", socket);
      } else {
        targets.http1.emit("connection", socket);
        // The HTTP/1 server does not resume a socket that was paused explicitly.
        socket.resume();
      }
    };
    const onError = () => socket.destroy();
    socket.on("data", onData);
    socket.on("error", onError);
  });
}
