import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Users' API tokens: `swt_<id>_<secret>`, 256 random bits of secret. The id finds the token's
 * record; only the secret's SHA-256 is stored, so a copy of the database holds no usable token.
 * A slow password hash is not needed: nobody can guess 256 random bits.
 */
const PREFIX = "swt_";
const TOKEN = /^swt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface IssuedToken {
  readonly id: string;
  /** The whole token: shown to its user once, never stored. */
  readonly token: string;
  readonly secretHash: string;
}

export function issueUserToken(): IssuedToken {
  const id = randomBytes(8).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  return { id, token: `${PREFIX}${id}_${secret}`, secretHash: hashSecret(secret) };
}

/** The id and secret hash a presented token claims, or undefined when it is not one of ours. */
export function readUserToken(token: string): { id: string; secretHash: string } | undefined {
  const match = TOKEN.exec(token);
  if (match === null) return undefined;
  return { id: match[1] as string, secretHash: hashSecret(match[2] as string) };
}

export function looksLikeUserToken(token: string): boolean {
  return token.startsWith(PREFIX);
}

/** Compares two hashes in constant time: how much of a guess matched must not show in timing. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}

function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}
