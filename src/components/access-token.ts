import * as pulumi from "@pulumi/pulumi";
import { StackwrightInputError } from "../core/errors";

export const ACCESS_TOKEN_CONFIG = "stackwright:accessToken";
export const ACCESS_TOKEN_ENV = "STACKWRIGHT_ACCESS_TOKEN";
/** Pulumi access tokens are 40 characters and more; anything this short is a mistake. */
const MIN_TOKEN_LENGTH = 16;

/**
 * The default `PULUMI_ACCESS_TOKEN` credential of a stack's ProgramStacks: the stack's secret
 * config `stackwright:accessToken`, else the environment variable `STACKWRIGHT_ACCESS_TOKEN`, else
 * none. Read when a ProgramStack is constructed, never at import time; the caller keeps it secret. A
 * too-short or empty value is refused with a message that names where it came from, never the
 * value itself.
 */
export function defaultAccessToken(env: NodeJS.ProcessEnv = process.env): string | undefined {
  // Read raw, so that a bad token is refused here, at construction, and not later inside an
  // Output; the caller keeps it secret.
  const fromConfig = pulumi.runtime.getConfig(ACCESS_TOKEN_CONFIG);
  if (fromConfig !== undefined) {
    checkToken(fromConfig, `config ${ACCESS_TOKEN_CONFIG}`);
    return fromConfig;
  }
  const fromEnv = env[ACCESS_TOKEN_ENV];
  if (fromEnv === undefined) return undefined;
  checkToken(fromEnv, `environment variable ${ACCESS_TOKEN_ENV}`);
  return fromEnv;
}

function checkToken(token: string, where: string): void {
  if (token.trim().length < MIN_TOKEN_LENGTH)
    throw StackwrightInputError.single(
      where,
      token.trim() === ""
        ? "is empty; set a Pulumi access token or remove it"
        : `is too short to be a Pulumi access token (fewer than ${MIN_TOKEN_LENGTH} characters)`,
    );
}
