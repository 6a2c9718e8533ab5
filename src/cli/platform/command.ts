import type { Command } from "commander";
import { createPlatformClient, type PlatformClient } from "../../jobs/api/client";
import { type ConnectionFlags, usingApi, withConnection } from "../api-connection";

/** What the catalogue's commands read and write, so tests can run them without a terminal. */
export interface PlatformCliIo {
  /** A line of the command's answer (stdout). */
  log(line: string): void;
  /** A line for the person at the terminal (stderr): progress under --json, notes. */
  err(line: string): void;
  /** Standard input, whole, for the flags that say they read it. */
  readStdin(): Promise<string>;
  /** Where `--secret-param key=VAR` and `--from-env VAR` read values. */
  readonly env: NodeJS.ProcessEnv;
  /** Standard input, when it may be a terminal to prompt on. */
  readonly stdin?: NodeJS.ReadStream;
  /** The terminals a --watch progress line is redrawn on, when they are terminals. */
  readonly stdout?: NodeJS.WriteStream;
  readonly stderr?: NodeJS.WriteStream;
}

export interface ApiFlags extends ConnectionFlags {
  json: boolean;
}

/** One run of a command: its flags and arguments, and the platform's client on first use. */
export interface Invocation<F extends ApiFlags> {
  readonly flags: F;
  readonly args: readonly string[];
  readonly io: PlatformCliIo;
  /**
   * The client. Commands read and check every flag first, then ask for it: a bad flag fails
   * without a token and sends nothing.
   */
  api(): PlatformClient;
}

/**
 * Completes a subcommand of the catalogue's: `--json` and the connection flags, and an action
 * that runs with the platform's client, the service's refusals turned into the CLI's errors.
 */
export function apiAction<F extends ApiFlags>(
  command: Command,
  io: PlatformCliIo,
  run: (invocation: Invocation<F>) => Promise<void>,
): Command {
  withConnection(command.option("--json", "print the API's answer as JSON", false));
  return command.action(async (...received: unknown[]) => {
    const self = received.at(-1) as Command;
    const flags = self.opts<F>();
    const args = self.processedArgs as string[];
    await usingApi(flags, createPlatformClient, (api) => run({ flags, args, io, api }));
  });
}

/** Collects a repeatable flag's values, in order. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
