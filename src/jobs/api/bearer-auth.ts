import { createHash, timingSafeEqual } from "node:crypto";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * Whether a request's `Authorization` header carries the token. Digests are compared, not the
 * strings: timingSafeEqual needs equal lengths, and comparing digests does not reveal the token's
 * length either.
 */
export function bearerCheck(token: string): (header: Headers) => boolean {
  if (token === "") throw new Error("the API token must not be empty");
  const expected = digest(token);
  return (header) => {
    const presented = bearerOf(header);
    return presented !== undefined && timingSafeEqual(digest(presented), expected);
  };
}

/**
 * Refuses a call without the token. Runs as Connect's request gate, before the request body is
 * read, so an unauthenticated caller cannot make the server parse anything.
 */
export function bearerGate(check: (header: Headers) => boolean): (context: HandlerContext) => void {
  return (context) => {
    if (!check(context.requestHeader))
      throw new ConnectError("missing or invalid bearer token", Code.Unauthenticated);
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/** The token an `Authorization: Bearer <token>` header carries, if it carries one. */
export function bearerOf(header: Headers): string | undefined {
  return BEARER.exec(header.get("authorization") ?? "")?.[1];
}
