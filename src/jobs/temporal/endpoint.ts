import { accessSync, constants, statSync } from "node:fs";
import { join } from "node:path";
import type { TLSConfig } from "@temporalio/client";
import { StackwrightInputError } from "../../core/errors";
import type { ServiceConfig } from "../config/service-config";
import { startTemporalDevServer } from "./dev-server";
import { readTemporalTls } from "./tls-files";

/** Where the service's clients and workers connect: what `Connection` and `NativeConnection` take. */
export interface TemporalEndpoint {
  /** host:port of the cluster's frontend. */
  readonly address: string;
  readonly namespace: string;
  /** Absent: no TLS. */
  readonly tls?: TLSConfig;
}

/** The Temporal the service runs on, and how to let go of it. */
export interface OpenTemporal {
  readonly endpoint: TemporalEndpoint;
  /** Stops the embedded server; does nothing for a configured cluster, which is not the service's. */
  close(): Promise<void>;
}

export const TEMPORAL_BINARY_VARIABLE = "STACKWRIGHT_TEMPORAL_BIN";

/**
 * The Temporal CLI that runs the embedded dev server: `$STACKWRIGHT_TEMPORAL_BIN`, which the
 * bootstrap sets inside `./dev.sh`. Anything else is one error saying what to do.
 */
export function temporalBinary(env: NodeJS.ProcessEnv): string {
  const binary = env[TEMPORAL_BINARY_VARIABLE];
  const fix =
    "the embedded Temporal server is the Temporal CLI (`temporal`) that the bootstrap builds: run through ./dev.sh (./dev.sh cli serve), set the variable to a `temporal` binary, or configure temporal.address to use an existing cluster";
  if (binary === undefined || binary === "")
    throw StackwrightInputError.single(TEMPORAL_BINARY_VARIABLE, `not set: ${fix}`);
  const problem = executableProblem(binary);
  if (problem !== undefined)
    throw StackwrightInputError.single(TEMPORAL_BINARY_VARIABLE, `${binary}: ${problem}: ${fix}`);
  return binary;
}

function executableProblem(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return "not a file";
    accessSync(path, constants.X_OK);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EACCES" ? "not executable" : "no such file";
  }
}

/**
 * The service's Temporal: the configured cluster (its TLS files read now, so a mistake in them
 * stops `serve` at once), or, when the configuration names none, a dev server on 127.0.0.1 whose
 * state lives in `<dataDir>/temporal`.
 */
export async function openTemporal(config: ServiceConfig, env: NodeJS.ProcessEnv): Promise<OpenTemporal> {
  const { address, namespace, tls } = config.temporal;
  if (address !== undefined)
    return {
      endpoint: { address, namespace, ...(tls !== undefined && { tls: readTemporalTls(tls, env) }) },
      close: async () => {},
    };
  const server = await startTemporalDevServer({
    binary: temporalBinary(env),
    stateDir: join(config.dataDir, "temporal"),
    namespace,
  });
  return { endpoint: { address: server.address, namespace: server.namespace }, close: () => server.stop() };
}
