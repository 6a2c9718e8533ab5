import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Problem, StackwrightInputError } from "../../core/errors";

export const MASTER_KEY_ENV = "STACKWRIGHT_MASTER_KEY";
export const PREVIOUS_MASTER_KEYS_ENV = "STACKWRIGHT_PREVIOUS_MASTER_KEYS";
const KEY_BYTES = 32;

/**
 * The master keys that seal what the service keeps secret at rest (see secrets/envelope.ts):
 * `STACKWRIGHT_MASTER_KEY` (32 bytes, base64) when set, else the key file in the data directory,
 * created with a random key (readable by the user only) the first time; then the keys of
 * `STACKWRIGHT_PREVIOUS_MASTER_KEYS` (comma-separated), which still open what they sealed. The
 * first key seals. A key is never printed.
 */
export function loadOrCreateMasterKeys(dataDir: string, env: NodeJS.ProcessEnv = process.env): Buffer[] {
  const problems: Problem[] = [];
  const decode = (text: string, at: string): Buffer | undefined => {
    const key = Buffer.from(text.trim(), "base64");
    if (key.length === KEY_BYTES) return key;
    problems.push({
      at,
      message: `expected ${KEY_BYTES} bytes in base64 (e.g. \`openssl rand -base64 32\`); got ${key.length} bytes`,
    });
    return undefined;
  };
  const fromEnv = env[MASTER_KEY_ENV];
  const current =
    fromEnv !== undefined && fromEnv !== "" ? decode(fromEnv, MASTER_KEY_ENV) : keyFromFile(dataDir, decode);
  const previous = (env[PREVIOUS_MASTER_KEYS_ENV] ?? "")
    .split(",")
    .filter((k) => k.trim() !== "")
    .map((k, i) => decode(k, `${PREVIOUS_MASTER_KEYS_ENV}[${i}]`));
  if (problems.length > 0) throw new StackwrightInputError(problems);
  return [current, ...previous].filter((k): k is Buffer => k !== undefined);
}

/** The master keys' base64 texts this service may hold, for redaction; creates nothing. */
export function readMasterKeyTexts(dataDir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const texts = [env[MASTER_KEY_ENV] ?? "", ...(env[PREVIOUS_MASTER_KEYS_ENV] ?? "").split(",")].map((t) =>
    t.trim(),
  );
  try {
    texts.push(readFileSync(masterKeyFile(dataDir), "utf8").trim());
  } catch {
    // No key file yet.
  }
  return texts.filter((t) => t !== "");
}

export function masterKeyFile(dataDir: string): string {
  return join(dataDir, "master.key");
}

function keyFromFile(
  dataDir: string,
  decode: (text: string, at: string) => Buffer | undefined,
): Buffer | undefined {
  const file = masterKeyFile(dataDir);
  let text: string | undefined;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    text = randomBytes(KEY_BYTES).toString("base64");
    // `wx`: when two processes start at once, the second reads the first one's key.
    try {
      writeFileSync(file, `${text}\n`, { mode: 0o600, flag: "wx" });
    } catch {
      text = readFileSync(file, "utf8");
    }
  }
  return decode(text, file);
}
