import { resolve } from "node:path";
import type { Command } from "commander";
import { StackwrightInputError } from "../core/errors";
import { loadOrCreateApiToken, TOKEN_ENV, tokenFile } from "../jobs/config/api-tokens";
import type { JobServer } from "../jobs/start-job-server";

export const DEFAULT_PORT = 7420;

interface ServeFlags {
  config?: string;
  host: string;
  port: string;
  api: boolean;
  workers: boolean;
}

/** `stackwright serve`: the job API and its workers, until SIGINT or SIGTERM. */
export function registerServeCommand(program: Command, log: (line: string) => void): void {
  program
    .command("serve")
    .description(
      "Run the stack job service: the API (gRPC and HTTP/JSON on one port) and the workers that run " +
        "preview/up/refresh/destroy jobs. With no --config, serves the embedded example stacks.",
    )
    .option(
      "--config <file>",
      "the service configuration (YAML); default: $STACKWRIGHT_CONFIG, else embedded defaults",
    )
    .option("--host <host>", "the address to listen on", "127.0.0.1")
    .option("--port <port>", "the port to listen on (0: any free port)", String(DEFAULT_PORT))
    .option("--no-api", "run workers only (another process serves the API)")
    .option("--no-workers", "serve the API only (other processes run the jobs)")
    .action(async (flags: ServeFlags) => serve(flags, log));
}

async function serve(flags: ServeFlags, log: (line: string) => void): Promise<void> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw StackwrightInputError.single("--port", "expected a port number from 0 to 65535");
  // The service is loaded here, not with the CLI: it (Temporal's worker, the engine's SDK, the
  // configuration's schemas, database drivers) takes over a second to load, which every other
  // command would pay for nothing.
  const [{ loadServiceConfig }, { embeddedServiceConfig }, { startJobServer }] = await Promise.all([
    import("../jobs/config/service-config.js"),
    import("../jobs/config/embedded-defaults.js"),
    import("../jobs/start-job-server.js"),
  ]);
  const configFile = flags.config ?? process.env.STACKWRIGHT_CONFIG;
  const config = configFile
    ? loadServiceConfig(configFile)
    : embeddedServiceConfig(process.env.STACKWRIGHT_DATA_DIR ?? resolve(".stackwright"));
  const token = flags.api ? loadOrCreateApiToken(config.dataDir) : undefined;
  let server: JobServer;
  try {
    server = await startJobServer({
      config,
      host: flags.host,
      port,
      workers: flags.workers,
      ...(token !== undefined && { token }),
    });
  } catch (error) {
    throw listenProblem(error, flags.host, port) ?? error;
  }
  if (server.url) log(`stackwright: job service listening on ${server.url}`);
  if (token !== undefined)
    log(`stackwright: API token: ${process.env[TOKEN_ENV] ? `$${TOKEN_ENV}` : tokenFile(config.dataDir)}`);
  log(
    `stackwright: database: ${config.databaseUrl ? "PostgreSQL" : `SQLite at ${resolve(config.dataDir, "jobs.db")}`}`,
  );
  if (server.workerId) log(`stackwright: worker ${server.workerId}, ${config.concurrency} jobs at once`);
  log(`stackwright: stacks: ${[...config.stacks.keys()].join(", ") || "none"}`);
  await new Promise<void>((done) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      log("stackwright: stopping (running jobs are canceled)");
      void server.close().then(done, done);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** Why the API cannot listen where it was asked to, as the flag to change; undefined for other errors. */
function listenProblem(error: unknown, host: string, port: number): StackwrightInputError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "EADDRINUSE":
      return StackwrightInputError.single(
        "--port",
        `port ${port} on ${host} is in use (is another stackwright serve running?); choose another port`,
      );
    case "EACCES":
      return StackwrightInputError.single("--port", `not allowed to listen on port ${port} on ${host}`);
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_FAIL":
    case "EAI_NONAME":
      return StackwrightInputError.single("--host", `cannot resolve '${host}' to an address (${code})`);
    case "EADDRNOTAVAIL":
    case "EAFNOSUPPORT":
      return StackwrightInputError.single("--host", `'${host}' is not an address of this machine (${code})`);
    default:
      return undefined;
  }
}
