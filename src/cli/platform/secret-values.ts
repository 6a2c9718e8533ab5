import { StackwrightInputError } from "../../core/errors";
import type { PlatformCliIo } from "./command";

/**
 * Where secret values come from: an environment variable the flag names, or standard input —
 * never the command line, which `ps`, shell history and CI logs all show. Messages name the flag
 * and what went wrong, never the variable's name as typed: a user who wrote a secret where its
 * variable's name goes must not see it printed back.
 */

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The value of the environment variable `name`, which must be set and not empty. */
export function secretFromEnv(io: PlatformCliIo, flag: string, name: string, what: string): string {
  if (!VARIABLE.test(name))
    throw StackwrightInputError.single(
      flag,
      `${what}: expected the name of an environment variable holding the value (A-Z, a-z, 0-9, _), never the value itself`,
    );
  const value = io.env[name];
  if (value === undefined || value === "")
    throw StackwrightInputError.single(flag, `${what}: the environment variable named is not set, or empty`);
  return value;
}

/** Standard input, whole, without the one line break that ends it. */
export async function secretFromStdin(io: PlatformCliIo, flag: string, what: string): Promise<string> {
  if (io.stdin?.isTTY === true)
    io.err(`stackwright: reading ${what} from standard input; end it with Ctrl-D`);
  const value = (await io.readStdin()).replace(/\r?\n$/, "");
  if (value === "") throw StackwrightInputError.single(flag, `${what}: standard input was empty`);
  return value;
}

/** Standard input of this process, whole. */
export async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
