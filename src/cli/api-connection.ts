import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Command } from "commander";
import { type Problem, StackwrightInputError } from "../core/errors";
import type { JobsClientOptions } from "../jobs/api/client";
import { TOKEN_ENV, tokenFile } from "../jobs/config/api-tokens";
import { plainText } from "../jobs/redaction/plain-text";

/**
 * How every client command of `stackwright serve` finds and calls it: the service's URL, the API
 * token, and the service's errors turned into the CLI's. Shared by the job commands and the
 * catalogue's, so they connect and fail alike.
 */

export const URL_ENV = "STACKWRIGHT_URL";
export const DEFAULT_URL = "http://127.0.0.1:7420";

export interface ConnectionFlags {
  url?: string;
  tokenFile?: string;
}

/** Adds `--url` and `--token-file` to a command. */
export function withConnection(command: Command): Command {
  return command
    .option("--url <url>", `the job service (default: $${URL_ENV}, else ${DEFAULT_URL})`)
    .option(
      "--token-file <path>",
      `the API token's file, used when $${TOKEN_ENV} is not set (default: .stackwright/api-token)`,
    );
}

/**
 * Runs `action` with a client made on its first use, turning the API's errors into the CLI's.
 * An action that checks its flags before asking for the client fails on them without a token and
 * without sending anything.
 */
export async function usingApi<C, T>(
  flags: ConnectionFlags,
  create: (options: JobsClientOptions) => C,
  action: (client: () => C) => Promise<T>,
): Promise<T> {
  let url: string | undefined;
  let client: C | undefined;
  const connect = (): C => {
    if (client === undefined) {
      url = serviceUrl(flags.url ?? process.env[URL_ENV] ?? DEFAULT_URL);
      client = create({ baseUrl: url, token: apiToken(flags.tokenFile), transport: "connect-json" });
    }
    return client;
  };
  try {
    return await action(connect);
  } catch (error) {
    throw url === undefined ? error : cliError(error, url);
  }
}

function serviceUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw StackwrightInputError.single("--url", `not a URL: ${raw}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw StackwrightInputError.single("--url", "expected an http:// or https:// URL");
  return url.href.replace(/\/$/, "");
}

/** From the environment or a file only: a token on the command line would show in `ps` and shell history. */
function apiToken(file: string | undefined): string {
  const fromEnv = process.env[TOKEN_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const path = resolve(file ?? tokenFile(".stackwright"));
  let token = "";
  try {
    token = readFileSync(path, "utf8").trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT")
      throw StackwrightInputError.single(
        TOKEN_ENV,
        `not set, and the token file ${path} cannot be read (${code})`,
      );
  }
  if (token === "")
    throw StackwrightInputError.single(
      TOKEN_ENV,
      `not set, and there is no token in ${path} (the file \`stackwright serve\` writes; choose another with --token-file)`,
    );
  return token;
}

/** `at: message`, the API's form of a problem; `at` may hold `:` (`files/main.ts:3:7`) but no space. */
const PROBLEM_LINE = /^(\S+?): (.+)$/;

/**
 * The API's messages start with the request field they are about; that is the CLI's `at`. The
 * platform's answers carry every problem, one per line: each becomes a line of its own.
 */
export function cliError(error: unknown, url: string): unknown {
  if (!(error instanceof ConnectError)) return error;
  if (error.code === Code.Unauthenticated)
    return StackwrightInputError.single(TOKEN_ENV, `the job service at ${url} refused the API token`);
  if (error.code === Code.Unavailable)
    return StackwrightInputError.single(
      "--url",
      `cannot reach the job service at ${url}: ${error.rawMessage}`,
    );
  // Plain text: a message may quote a name or a path a tenant chose, which must not drive the terminal.
  const message = plainText(error.rawMessage);
  const lines = message.split("\n").filter((line) => line !== "");
  const problems: Problem[] = [];
  for (const line of lines) {
    const field = PROBLEM_LINE.exec(line);
    if (field?.[1] === undefined || field[2] === undefined) break;
    problems.push({ at: field[1], message: field[2] });
  }
  if (problems.length > 0 && problems.length === lines.length) return new StackwrightInputError(problems);
  const single = /^([A-Za-z_][\w.]*): (.+)$/s.exec(message);
  return single?.[1] !== undefined && single[2] !== undefined
    ? StackwrightInputError.single(single[1], single[2])
    : StackwrightInputError.single(url, message);
}
