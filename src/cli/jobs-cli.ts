import { toJsonString } from "@bufbuild/protobuf";
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
import { fromProtoOperation, toProtoJobStatus, toProtoOperation } from "../jobs/api/proto-enums";
import { isJobStatus, isOperation, JOB_STATUSES, OPERATIONS } from "../jobs/domain/job";
import { plainText } from "../jobs/redaction/plain-text";
import { type ConnectionFlags, usingApi, withConnection } from "./api-connection";
import { positiveInteger } from "./flag-values";
import { changesText, followJob, jobStatusText } from "./job-progress";
import { formatTable, timeText } from "./table";

export interface JobCliIo {
  log(line: string): void;
  err(line: string): void;
}

const DEFAULT_LIST_LIMIT = 20;
/** `timeout_seconds` is a uint32. */
const MAX_UINT32 = 2 ** 32 - 1;

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
      io.log(`${update.id} ${jobStatusText(update.status)}${stopping(update) ? " (stopping)" : ""}`);
    }),
  );
}

/** Runs `action` with a job API client, turning API errors into the CLI's. */
function withApi(flags: ConnectionFlags, action: (client: JobsClient) => Promise<void>): Promise<void> {
  return usingApi(flags, createJobsClient, (client) => action(client()));
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
  await followJob(
    {
      id: update.id,
      status: update.status,
      startedAt,
      events: () => client.watchStackUpdate({ id: update.id }),
      final: () => client.getStackUpdate({ id: update.id }),
    },
    { log: io.log, terminal: process.stdout },
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
      jobStatusText(u.status),
      timeText(u.createdAt),
    ]),
  ];
  for (const line of formatTable(rows)) io.log(line);
}

function describe(u: StackUpdate): string[] {
  const lines = [
    `id:         ${u.id}`,
    `stack:      ${u.stack}`,
    `workload:   ${u.workload}`,
    `operation:  ${operationText(u.operation)}`,
    `status:     ${jobStatusText(u.status)}${stopping(u) ? " (cancel requested)" : ""}`,
    `created:    ${timeText(u.createdAt)}`,
    `started:    ${timeText(u.startedAt)}`,
    `finished:   ${timeText(u.finishedAt)}`,
    `attempt:    ${u.attempt}`,
    `timeout:    ${u.timeoutMs / 1000}s`,
  ];
  if (u.exitCode !== undefined) lines.push(`exit code:  ${u.exitCode}`);
  const changes = changesText(u.changes);
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

/** Asked to stop, and not stopped yet. */
function stopping(u: StackUpdate): boolean {
  return u.cancelRequested && u.status === ProtoJobStatus.RUNNING;
}
