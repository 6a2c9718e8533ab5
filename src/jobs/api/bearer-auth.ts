import { createHash, timingSafeEqual } from "node:crypto";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * Refuses a call whose `Authorization` header does not carry the token. Runs as Connect's request
 * gate, before the request body is read, so an unauthenticated caller cannot make the server parse
 * anything. Digests are compared, not the strings: timingSafeEqual needs equal lengths, and
 * comparing digests does not reveal the token's length either.
 */
export function bearerGate(token: string): (context: HandlerContext) => void {
  if (token === "") throw new Error("the API token must not be empty");
  const expected = digest(token);
  return (context) => {
    const presented = BEARER.exec(context.requestHeader.get("authorization") ?? "")?.[1];
    if (presented === undefined || !timingSafeEqual(digest(presented), expected))
      throw new ConnectError("missing or invalid bearer token", Code.Unauthenticated);
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
