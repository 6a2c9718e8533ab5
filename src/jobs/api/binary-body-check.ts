import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { type DescMessage, fromBinary } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  type ConnectRouter,
  createContextKey,
  createContextValues,
  type HandlerContext,
} from "@connectrpc/connect";
import {
  createAsyncIterable,
  readAllBytes,
  type UniversalHandler,
  type UniversalServerRequest,
} from "@connectrpc/connect/protocol";

/**
 * A client's malformed binary request is the client's mistake. Connect answers a protobuf message
 * that does not parse, and a gRPC or gRPC-Web frame flagged compressed without an encoding, with
 * Internal (HTTP 500) — an answer that says the server failed. So each binary request body is
 * checked before Connect reads it, and a bad one is refused with InvalidArgument (400) by the
 * request gate, which Connect answers in the caller's protocol. JSON bodies are not touched:
 * Connect already refuses bad JSON with InvalidArgument.
 */

const REFUSAL = createContextKey<ConnectError | undefined>(undefined, { description: "binary body refusal" });

/** Where the encoding of a framed body is named, by content type. */
const FRAMED: readonly { readonly type: RegExp; readonly encodingHeader: string }[] = [
  { type: /^application\/grpc(-web)?(\+proto)?$/, encodingHeader: "grpc-encoding" },
  { type: /^application\/connect\+proto$/, encodingHeader: "connect-content-encoding" },
];
const UNFRAMED = /^application\/proto$/;
const COMPRESSED_FLAG = 0x01;

/**
 * Wraps every handler of `router` so that a binary body is checked first; `mayRead` says whether
 * the caller may make the server read anything (it is authorized), so an unauthenticated body is
 * never read. Call after the routes are registered.
 */
export function checkBinaryBodies(
  router: ConnectRouter,
  mayRead: (header: Headers) => boolean,
  readMaxBytes: number,
): void {
  router.handlers.forEach((handler, i) => {
    const checked = async (request: UniversalServerRequest) =>
      handler(await checkedRequest(request, handler.method.input, mayRead, readMaxBytes));
    router.handlers[i] = Object.assign(checked, {
      protocolNames: handler.protocolNames,
      service: handler.service,
      method: handler.method,
      requestPath: handler.requestPath,
      allowedMethods: handler.allowedMethods,
      supportedContentType: handler.supportedContentType,
    }) satisfies UniversalHandler;
  });
}

/** For the request gate: refuses a request whose binary body was found bad. */
export function refuseBadBinaryBody(context: HandlerContext): void {
  const refusal = context.values.get(REFUSAL);
  if (refusal !== undefined) throw refusal;
}

async function checkedRequest(
  request: UniversalServerRequest,
  input: DescMessage,
  mayRead: (header: Headers) => boolean,
  readMaxBytes: number,
): Promise<UniversalServerRequest> {
  const type = (request.header.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const framed = FRAMED.find((f) => f.type.test(type));
  if (
    (framed === undefined && !UNFRAMED.test(type)) ||
    !isByteStream(request.body) ||
    !mayRead(request.header)
  )
    return request;
  let refusal: ConnectError | undefined;
  let body: Uint8Array = new Uint8Array(0);
  try {
    body = await readAllBytes(request.body, readMaxBytes, request.header.get("content-length"));
    if (framed === undefined) parse(input, body, "the request body");
    else checkFrames(input, body, request.header.get(framed.encodingHeader), readMaxBytes);
  } catch (error) {
    refusal = ConnectError.from(error, Code.InvalidArgument);
  }
  const contextValues = request.contextValues ?? createContextValues();
  contextValues.set(REFUSAL, refusal);
  return { ...request, body: createAsyncIterable([body]), contextValues };
}

function checkFrames(
  input: DescMessage,
  body: Uint8Array,
  encoding: string | null,
  readMaxBytes: number,
): void {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  // A truncated frame is left to Connect, which refuses it as such.
  for (let at = 0, n = 1; at + 5 <= body.byteLength; n++) {
    const flags = view.getUint8(at);
    const length = view.getUint32(at + 1);
    const payload = body.subarray(at + 5, at + 5 + length);
    at += 5 + length;
    if (payload.byteLength < length) return;
    if ((flags & COMPRESSED_FLAG) === 0) parse(input, payload, `message ${n}`);
    else if (encoding === null || encoding === "identity")
      throw new ConnectError(
        `message ${n} is flagged compressed, but the request names no encoding (grpc-encoding)`,
        Code.InvalidArgument,
      );
    else {
      const plain = decompress(payload, encoding, readMaxBytes);
      if (plain !== undefined) parse(input, plain, `message ${n}`);
    }
  }
}

/** Undefined for an encoding Connect itself refuses (Unimplemented). */
function decompress(payload: Uint8Array, encoding: string, readMaxBytes: number): Uint8Array | undefined {
  const options = { maxOutputLength: readMaxBytes };
  try {
    if (encoding === "gzip") return gunzipSync(payload, options);
    if (encoding === "br") return brotliDecompressSync(payload, options);
  } catch (error) {
    throw new ConnectError(
      `cannot decompress the message (${encoding}): ${(error as Error).message}`,
      Code.InvalidArgument,
    );
  }
  return undefined;
}

function parse(input: DescMessage, bytes: Uint8Array, what: string): void {
  try {
    fromBinary(input, bytes);
  } catch (error) {
    throw new ConnectError(
      `${what} is not a valid ${input.typeName} in protobuf binary: ${(error as Error).message}`,
      Code.InvalidArgument,
    );
  }
}

function isByteStream(body: UniversalServerRequest["body"]): body is AsyncIterable<Uint8Array> {
  return typeof body === "object" && body !== null && Symbol.asyncIterator in body;
}
