import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { toJsonString } from "@bufbuild/protobuf";
import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Command } from "commander";
import { StackwrightInputError } from "../core/errors";
import { MAX_PAGE_SIZE } from "../core/paging";
import { createJobsClient, type JobsClient } from "../jobs/api/client";
import {
  JobStatus as ProtoJobStatus,
  Operation as ProtoOperation,
  type StackUpdate,
  StackUpdateSchema,
} from "../jobs/api/gen/stackwright/jobs/v1/jobs_pb";
import { ResourceProgress } from "../jobs/api/progress";
import {
  fromProtoJobStatus,
  fromProtoOperation,
  toProtoJobStatus,
  toProtoOperation,
} from "../jobs/api/proto-enums";
import { TOKEN_ENV, tokenFile } from "../jobs/config/api-tokens";
import { isJobStatus, isOperation, JOB_STATUSES, OPERATIONS } from "../jobs/domain/job";
import { plainText } from "../jobs/redaction/plain-text";

export interface JobCliIo {
  log(line: string): void;
  err(line: string): void;
}

const URL_ENV = "STACKWRIGHT_URL";
const DEFAULT_URL = "http://127.0.0.1:7420";
const DEFAULT_LIST_LIMIT = 20;
/** `timeout_seconds` is a uint32. */
const MAX_UINT32 = 2 ** 32 - 1;

interface ConnectionFlags {
  url?: string;
  tokenFile?: string;
}

interface DeployFlags extends ConnectionFlags {
  operation: string;
  timeout?: string;
  watch: boolean;
}

interface ListFlags extends ConnectionFlags {
  stack?: string;
  workload?: string;
  status?: string;
  operation?: string;
  limit?: string;
}

/**
 * The job service's client commands: `deploy` and `jobs list|get|cancel`. Failures are thrown as
 * StackwrightInputError, so `stackwright` prints them as `stackwright: error: …` and exits 1.
 * Users read and write operations and statuses as the service names them (`up`, `succeeded`);
 * the API's enums are converted here, at the edge (but `jobs get --json` prints the API's JSON).
 */
export function registerJobCommands(program: Command, io: JobCliIo): void {
  withConnection(
    program
      .command("deploy")
      .description("Start a job that runs a Pulumi operation on a registered stack, and print its id.")
      .argument("<stack>", "the stack, org/project/stack")
      .option("--operation <op>", `one of ${OPERATIONS.join(", ")}`, "up")
      .option("--timeout <seconds>", "stop the job after this many seconds (default: the stack's timeout)")
      .option("--watch", "follow the job until it ends; exit 1 unless it succeeds", false),
  ).action((stack: string, flags: DeployFlags) =>
    withApi(flags, (client) => deploy(client, stack, flags, io)),
  );

  const jobs = program.command("jobs").description("List, inspect and cancel the job service's jobs.");
  withConnection(
    jobs
      .command("list")
      .description("List jobs, newest first.")
      .option("--stack <stack>", "only this stack's jobs")
      .option("--workload <workload>", "only jobs of this workload")
      .option("--status <status>", "only jobs in this status")
      .option("--operation <op>", "only jobs of this operation")
      .option("--limit <n>", "at most this many jobs", String(DEFAULT_LIST_LIMIT)),
  ).action((flags: ListFlags) => withApi(flags, (client) => list(client, flags, io)));
  withConnection(
    jobs
      .command("get")
      .description("Show a job.")
      .argument("<id>", "the job's id")
      .option("--json", "print the job as the API's JSON", false),
  ).action((id: string, flags: ConnectionFlags & { json: boolean }) =>
    withApi(flags, async (client) => {
      const update = await client.getStackUpdate({ id });
      if (flags.json) io.log(toJsonString(StackUpdateSchema, update, { prettySpaces: 2 }));
      else for (const line of describe(update)) io.log(line);
    }),
  );
  withConnection(
    jobs
      .command("cancel")
      .description("Cancel a job, or ask a running one to stop.")
      .argument("<id>", "the job's id"),
  ).action((id: string, flags: ConnectionFlags) =>
    withApi(flags, async (client) => {
      const update = await client.cancelStackUpdate({ id });
      io.log(`${update.id} ${statusText(update.status)}${stopping(update) ? " (stopping)" : ""}`);
    }),
  );
}

function withConnection(command: Command): Command {
  return command
    .option("--url <url>", `the job service (default: $${URL_ENV}, else ${DEFAULT_URL})`)
    .option(
      "--token-file <path>",
      `the API token's file, used when $${TOKEN_ENV} is not set (default: .stackwright/api-token)`,
    );
}

/** Runs `action` with a client, turning API errors into the CLI's. */
async function withApi(flags: ConnectionFlags, action: (client: JobsClient) => Promise<void>): Promise<void> {
  const url = serviceUrl(flags.url ?? process.env[URL_ENV] ?? DEFAULT_URL);
  const client = createJobsClient({
    baseUrl: url,
    token: apiToken(flags.tokenFile),
    transport: "connect-json",
  });
  try {
    await action(client);
  } catch (error) {
    throw cliError(error, url);
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

/** The API's messages start with the request field they are about; that is the CLI's `at`. */
function cliError(error: unknown, url: string): unknown {
  if (!(error instanceof ConnectError)) return error;
  if (error.code === Code.Unauthenticated)
    return StackwrightInputError.single(TOKEN_ENV, `the job service at ${url} refused the API token`);
  if (error.code === Code.Unavailable)
    return StackwrightInputError.single(
      "--url",
      `cannot reach the job service at ${url}: ${error.rawMessage}`,
    );
  const field = /^([A-Za-z_][\w.]*): (.+)$/s.exec(error.rawMessage);
  return field?.[1] !== undefined && field[2] !== undefined
    ? StackwrightInputError.single(field[1], field[2])
    : StackwrightInputError.single(url, error.rawMessage);
}

async function deploy(client: JobsClient, stack: string, flags: DeployFlags, io: JobCliIo): Promise<void> {
  const operation = operationFlag(flags.operation);
  const timeoutSeconds =
    flags.timeout === undefined ? undefined : positiveInteger("--timeout", flags.timeout, MAX_UINT32);
  const startedAt = Date.now();
  const { update } = await client.deployCloudResource({ stack, operation, timeoutSeconds });
  if (update === undefined) throw new Error("the job service answered a deploy without the job");
  io.log(update.id);
  if (!flags.watch) return;
  await follow(client, update, startedAt, io);
}

/** Shows a job's progress until it ends; throws unless it succeeded. */
async function follow(client: JobsClient, job: StackUpdate, startedAt: number, io: JobCliIo): Promise<void> {
  const progress = new ResourceProgress();
  progress.status = job.status;
  const line = () =>
    `${job.id}  ${statusText(progress.status)}  resources ${progress.done}/${progress.total}  ` +
    `${Math.round((Date.now() - startedAt) / 1000)}s`;
  const tty = process.stdout.isTTY === true;
  // On a terminal one line is redrawn, also each second for the clock; in a log, a line per change.
  const show = tty ? () => process.stdout.write(`\r\x1b[2K${line()}`) : () => io.log(line());
  show();
  const clock = tty ? setInterval(show, 1000) : undefined;
  try {
    for await (const event of client.watchStackUpdate({ id: job.id })) if (progress.add(event)) show();
  } finally {
    clearInterval(clock);
    if (tty) process.stdout.write("\n");
  }
  const final = await client.getStackUpdate({ id: job.id });
  const changes = describeChanges(final.changes);
  if (changes !== "") io.log(`changes: ${changes}`);
  if (final.status !== ProtoJobStatus.SUCCEEDED)
    throw StackwrightInputError.single(
      `job ${final.id}`,
      `${statusText(final.status)}${final.error ? `: ${plainText(final.error)}` : ""}`,
    );
}

async function list(client: JobsClient, flags: ListFlags, io: JobCliIo): Promise<void> {
  const limit = positiveInteger("--limit", flags.limit ?? String(DEFAULT_LIST_LIMIT));
  const status = flags.status === undefined ? ProtoJobStatus.UNSPECIFIED : statusFlag(flags.status);
  const operation =
    flags.operation === undefined ? ProtoOperation.UNSPECIFIED : operationFlag(flags.operation);
  const updates: StackUpdate[] = [];
  let pageToken = "";
  do {
    const page = await client.listStackUpdates({
      stack: flags.stack ?? "",
      workload: flags.workload ?? "",
      status,
      operation,
      pageSize: Math.min(limit - updates.length, MAX_PAGE_SIZE),
      pageToken,
    });
    updates.push(...page.updates);
    pageToken = page.nextPageToken;
  } while (pageToken !== "" && updates.length < limit);
  if (updates.length === 0) {
    io.log("no jobs");
    return;
  }
  const rows = [
    ["ID", "STACK", "OPERATION", "STATUS", "CREATED"],
    ...updates.map((u) => [
      u.id,
      u.stack,
      operationText(u.operation),
      statusText(u.status),
      time(u.createdAt),
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
  for (const row of rows)
    io.log(
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    );
}

function describe(u: StackUpdate): string[] {
  const lines = [
    `id:         ${u.id}`,
    `stack:      ${u.stack}`,
    `workload:   ${u.workload}`,
    `operation:  ${operationText(u.operation)}`,
    `status:     ${statusText(u.status)}${stopping(u) ? " (cancel requested)" : ""}`,
    `created:    ${time(u.createdAt)}`,
    `started:    ${time(u.startedAt)}`,
    `finished:   ${time(u.finishedAt)}`,
    `attempt:    ${u.attempt}`,
    `timeout:    ${u.timeoutMs / 1000}s`,
  ];
  if (u.exitCode !== undefined) lines.push(`exit code:  ${u.exitCode}`);
  const changes = describeChanges(u.changes);
  if (changes !== "") lines.push(`changes:    ${changes}`);
  // Plain, whatever the service stored (jobs of older versions kept the engine's escapes): a
  // job's text must not drive the terminal it is shown on.
  if (u.error !== undefined) lines.push(`error:      ${plainText(u.error)}`);
  if (u.output !== "") {
    lines.push(`output${u.outputTruncated ? " (truncated)" : ""}:`);
    for (const outputLine of plainText(u.output).replace(/\n$/, "").split("\n"))
      lines.push(`  ${outputLine}`);
  }
  return lines;
}

function operationFlag(raw: string): ProtoOperation {
  if (!isOperation(raw))
    throw StackwrightInputError.single("--operation", `expected one of ${OPERATIONS.join(", ")}`);
  return toProtoOperation(raw);
}

function statusFlag(raw: string): ProtoJobStatus {
  if (!isJobStatus(raw))
    throw StackwrightInputError.single("--status", `expected one of ${JOB_STATUSES.join(", ")}`);
  return toProtoJobStatus(raw);
}

/** `unknown` for a value a newer service sent that this client does not know. */
function operationText(operation: ProtoOperation): string {
  return fromProtoOperation(operation) ?? "unknown";
}

function statusText(status: ProtoJobStatus): string {
  return fromProtoJobStatus(status) ?? "unknown";
}

/** Asked to stop, and not stopped yet. */
function stopping(u: StackUpdate): boolean {
  return u.cancelRequested && u.status === ProtoJobStatus.RUNNING;
}

function describeChanges(changes: { [kind: string]: bigint }): string {
  return Object.entries(changes)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(", ");
}

function time(timestamp: Timestamp | undefined): string {
  return timestamp === undefined ? "-" : timestampDate(timestamp).toISOString();
}

function positiveInteger(flag: string, raw: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > max)
    throw StackwrightInputError.single(flag, `expected a whole number from 1 to ${max}`);
  return n;
}
