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
import { checkJsonEnums } from "./json-enum-check";

/**
 * Each request body is checked before Connect reads it, for what Connect would answer wrongly, and
 * a bad one is refused with InvalidArgument (400) by the request gate, which Connect answers in
 * the caller's protocol:
 *
 * - a protobuf message that does not parse, and a gRPC or gRPC-Web frame flagged compressed
 *   without an encoding: Connect answers them with Internal (HTTP 500), which says the server
 *   failed, when it is the client's mistake;
 * - a JSON message naming an enum value the API does not have, which Connect would drop
 *   (json-enum-check.ts). JSON that does not parse Connect refuses itself.
 *
 * Compressed bodies are checked decompressed, as Connect will read them.
 */

const REFUSAL = createContextKey<ConnectError | undefined>(undefined, {
  description: "request body refusal",
});

/** Where the encoding of a framed body's messages is named, by content type. */
const FRAMED: readonly { readonly type: RegExp; readonly encodingHeader: string }[] = [
  { type: /^application\/grpc(-web)?(\+(proto|json))?$/, encodingHeader: "grpc-encoding" },
  { type: /^application\/connect\+(proto|json)$/, encodingHeader: "connect-content-encoding" },
];
/** A Connect unary body: one message, compressed as a whole as `content-encoding` says. */
const UNFRAMED = /^application\/(proto|json)$/;
const COMPRESSED_FLAG = 0x01;

/**
 * Wraps every handler of `router` so that its request body is checked first; `mayRead` says whether
 * the caller may make the server read anything (it is authorized), so an unauthenticated body is
 * never read. Call after the routes are registered.
 */
export function checkRequestBodies(
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

/** For the request gate: refuses a request whose body was found bad. */
export function refuseBadBody(context: HandlerContext): void {
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
  const check: MessageCheck = type.endsWith("json") ? checkJsonEnums : parse;
  let refusal: ConnectError | undefined;
  let body: Uint8Array = new Uint8Array(0);
  try {
    body = await readAllBytes(request.body, readMaxBytes, request.header.get("content-length"));
    if (framed !== undefined)
      checkFrames(check, input, body, request.header.get(framed.encodingHeader), readMaxBytes);
    else {
      const encoding = request.header.get("content-encoding");
      const plain = isIdentity(encoding) ? body : decompress(body, encoding ?? "", readMaxBytes);
      if (plain !== undefined) check(input, plain, "the request body");
    }
  } catch (error) {
    refusal = ConnectError.from(error, Code.InvalidArgument);
  }
  const contextValues = request.contextValues ?? createContextValues();
  contextValues.set(REFUSAL, refusal);
  return { ...request, body: createAsyncIterable([body]), contextValues };
}

/** What is checked of each message: that it parses (binary), or its enum names (JSON). */
type MessageCheck = (input: DescMessage, bytes: Uint8Array, what: string) => void;

function checkFrames(
  check: MessageCheck,
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
    if ((flags & COMPRESSED_FLAG) === 0) check(input, payload, `message ${n}`);
    else if (isIdentity(encoding))
      throw new ConnectError(
        `message ${n} is flagged compressed, but the request names no encoding (grpc-encoding)`,
        Code.InvalidArgument,
      );
    else {
      const plain = decompress(payload, encoding ?? "", readMaxBytes);
      if (plain !== undefined) check(input, plain, `message ${n}`);
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

function isIdentity(encoding: string | null): boolean {
  return encoding === null || encoding === "identity";
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
