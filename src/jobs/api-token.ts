import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const TOKEN_ENV = "STACKWRIGHT_API_TOKEN";
const MIN_TOKEN_LENGTH = 16;

/**
 * The API's bearer token: `STACKWRIGHT_API_TOKEN` when set, else the token file in the data
 * directory, created with a random token (readable by the user only) the first time. The token
 * is never printed; clients read the same file or variable.
 */
export function loadOrCreateApiToken(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[TOKEN_ENV];
  if (fromEnv !== undefined && fromEnv !== "") {
    if (fromEnv.length < MIN_TOKEN_LENGTH)
      throw new Error(`${TOKEN_ENV}: too short; use at least ${MIN_TOKEN_LENGTH} characters`);
    return fromEnv;
  }
  const file = tokenFile(dataDir);
  try {
    const token = readFileSync(file, "utf8").trim();
    if (token.length >= MIN_TOKEN_LENGTH) return token;
  } catch {
    // Not there yet: made below.
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString("base64url");
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

export function tokenFile(dataDir: string): string {
  return join(dataDir, "api-token");
}
