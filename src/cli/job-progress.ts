import { StackwrightInputError } from "../core/errors";
import {
  JobStatus as ProtoJobStatus,
  type StackUpdate,
  type StackUpdateEvent,
} from "../jobs/api/gen/stackwright/jobs/v1/jobs_pb";
import { ResourceProgress } from "../jobs/api/progress";
import { fromProtoJobStatus } from "../jobs/api/proto-enums";
import { plainText } from "../jobs/redaction/plain-text";

/** A job to follow, through whichever service can watch it (the job API's, or a tenant's view). */
export interface FollowedJob {
  readonly id: string;
  /** Its status when it was queued. */
  readonly status: ProtoJobStatus;
  /** When the command asked for it, for the clock. */
  readonly startedAt: number;
  events(): AsyncIterable<StackUpdateEvent>;
  /** The job once its events have ended. */
  final(): Promise<StackUpdate>;
}

export interface ProgressOutput {
  /** A line of progress, when it is not a terminal's. */
  log(line: string): void;
  /** The terminal the progress line is redrawn on, when there is one. */
  readonly terminal?: NodeJS.WriteStream;
}

/** Shows a job's progress until it ends; throws unless it succeeded. */
export async function followJob(job: FollowedJob, out: ProgressOutput): Promise<StackUpdate> {
  const progress = new ResourceProgress();
  progress.status = job.status;
  const line = () =>
    `${job.id}  ${jobStatusText(progress.status)}  resources ${progress.done}/${progress.total}  ` +
    `${Math.round((Date.now() - job.startedAt) / 1000)}s`;
  const terminal = out.terminal?.isTTY === true ? out.terminal : undefined;
  // On a terminal one line is redrawn, also each second for the clock; in a log, a line per change.
  const show = terminal ? () => terminal.write(`\r\x1b[2K${line()}`) : () => out.log(line());
  show();
  const clock = terminal ? setInterval(show, 1000) : undefined;
  try {
    for await (const event of job.events()) if (progress.add(event)) show();
  } finally {
    clearInterval(clock);
    terminal?.write("\n");
  }
  const final = await job.final();
  const changes = changesText(final.changes);
  if (changes !== "") out.log(`changes: ${changes}`);
  if (final.status !== ProtoJobStatus.SUCCEEDED)
    throw StackwrightInputError.single(
      `job ${final.id}`,
      `${jobStatusText(final.status)}${final.error ? `: ${plainText(final.error)}` : ""}`,
    );
  return final;
}

/** The service's word for a job status; `unknown` for a value a newer service sent that this client does not know. */
export function jobStatusText(status: ProtoJobStatus): string {
  return fromProtoJobStatus(status) ?? "unknown";
}

export function changesText(changes: { [kind: string]: bigint }): string {
  return Object.entries(changes)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(", ");
}
