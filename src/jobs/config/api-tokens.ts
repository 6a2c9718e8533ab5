import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StackwrightInputError } from "../../core/errors";

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
      throw StackwrightInputError.single(
        TOKEN_ENV,
        `too short (${fromEnv.length} characters); use at least ${MIN_TOKEN_LENGTH}, e.g. \`openssl rand -base64 32\``,
      );
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

/** The tokens this service may be holding (the variable's, the file's), for redaction; creates nothing. */
export function readApiTokens(dataDir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const tokens: string[] = [];
  const fromEnv = env[TOKEN_ENV];
  if (fromEnv !== undefined && fromEnv !== "") tokens.push(fromEnv);
  try {
    const fromFile = readFileSync(tokenFile(dataDir), "utf8").trim();
    if (fromFile !== "") tokens.push(fromFile);
  } catch {
    // No token file: the token, if any, is the variable's.
  }
  return tokens;
}

export function tokenFile(dataDir: string): string {
  return join(dataDir, "api-token");
}
