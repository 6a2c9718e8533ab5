import type { Command } from "commander";
import { StackwrightInputError } from "../../core/errors";
import type { PlatformClient } from "../../jobs/api/client";
import {
  ApprovalDecision,
  DeploymentStatus,
  DeploymentStepStatus,
} from "../../jobs/api/gen/stackwright/platform/v1/platform_pb";
import {
  ListUpgradesResponseSchema,
  type UpgradeBatch,
  UpgradeBatchSchema,
} from "../../jobs/api/gen/stackwright/platform/v1/upgrades_pb";
import { plainText } from "../../jobs/redaction/plain-text";
import { positiveInteger, required } from "../flag-values";
import { changesText, type ProgressOutput } from "../job-progress";
import { timeText } from "../table";
import { decisionComment, MAX_COMMENT } from "./approvals";
import { type ApiFlags, apiAction, type PlatformCliIo } from "./command";
import {
  decisionText,
  deploymentStatusText,
  roleText,
  stepNameText,
  stepStatusText,
  stepsText,
} from "./deployments";
import { cell, printFields, printJson, printTable } from "./output";

interface UpgradeFlags extends ApiFlags {
  tenant?: string;
}

interface StartFlags extends UpgradeFlags {
  version?: string;
  stacks?: string;
  failureBudget?: string;
  watch: boolean;
}

interface DecideFlags extends UpgradeFlags {
  comment?: string;
  watch?: boolean;
}

/** The most batches `upgrades list` asks for. */
const MAX_LIST = 500;

/** `stackwright upgrades …`: bulk upgrades of a tenant's stacks of a template, approved once as a batch. */
export function registerUpgradeCommands(program: Command, io: PlatformCliIo): void {
  const upgrades = program
    .command("upgrades")
    .description(
      "Move a tenant's stacks of a template to a newer version as one batch: every stack previewed, " +
        "the batch approved once, then each stack's approved plan applied in order, stopping when " +
        "more stacks failed than the failure budget allows.",
    );

  apiAction<StartFlags>(
    upgrades
      .command("start")
      .description(
        "Start a bulk upgrade: the tenant's stacks of TEMPLATE (all those not at VERSION, or --stacks) " +
          "move to VERSION. Needs pulumi:stack:deploy; an approver with the deploy policy's role, " +
          "not you, approves the batch.",
      )
      .argument("<template>", "the template (name or id)")
      .option("--tenant <tenant>", "the tenant (name or id); required")
      .option("--version <n>", "the published version to move to; required")
      .option("--stacks <names>", "the stacks to upgrade, comma-separated, in the order to apply them")
      .option("--failure-budget <n>", "how many stacks may fail before the rest are left alone (default 0)")
      .option(
        "--watch",
        "follow the batch to its end: each stack's steps, the approval it waits for, each up; exit 1 unless it succeeds",
        false,
      )
      .addHelpText(
        "after",
        "\nExample:\n  stackwright upgrades start web-service --tenant team-a --version 4 --stacks shop,blog --watch",
      ),
    io,
    async ({ flags, args, api }) => {
      const tenant = required("--tenant", flags.tenant);
      const version = positiveInteger("--version", required("--version", flags.version));
      const stacks = flags.stacks === undefined ? [] : flags.stacks.split(",").map((name) => name.trim());
      if (stacks.some((name) => name === ""))
        throw StackwrightInputError.single("--stacks", "expected stack names separated by commas");
      const failureBudget = wholeNumber("--failure-budget", flags.failureBudget ?? "0");
      const client = api();
      const batch = await client.upgrades.startUpgrade({
        tenant,
        template: args[0] as string,
        version,
        stacks,
        failureBudget,
      });
      await answer(io, client, tenant, batch, flags);
    },
  );

  apiAction<UpgradeFlags>(
    upgrades
      .command("get")
      .description("Show a batch: its status, its approval, and each stack with its deployment.")
      .argument("<upgrade-id>", "the batch (see `upgrades list`)")
      .option("--tenant <tenant>", "the tenant (name or id); required"),
    io,
    async ({ flags, args, api }) => {
      const tenant = required("--tenant", flags.tenant);
      const batch = await api().upgrades.getUpgrade({ tenant, upgradeId: args[0] as string });
      if (flags.json) printJson(io, UpgradeBatchSchema, batch);
      else describe(io, batch);
    },
  );

  apiAction<UpgradeFlags & { limit?: string }>(
    upgrades
      .command("list")
      .description("List a tenant's upgrade batches, newest first.")
      .option("--tenant <tenant>", "the tenant (name or id); required")
      .option("--limit <n>", `the newest n batches, 1 to ${MAX_LIST} (default: 50)`),
    io,
    async ({ flags, api }) => {
      const tenant = required("--tenant", flags.tenant);
      const pageSize = flags.limit === undefined ? 0 : positiveInteger("--limit", flags.limit, MAX_LIST);
      const found = await api().upgrades.listUpgrades({ tenant, pageSize });
      if (flags.json) {
        printJson(io, ListUpgradesResponseSchema, found);
        return;
      }
      printTable(
        io,
        ["UPGRADE", "TEMPLATE", "VERSION", "STATUS", "STACKS", "STARTED BY", "CREATED"],
        found.upgrades.map((b) => [
          b.id,
          b.templateName,
          String(b.targetVersion),
          deploymentStatusText(b.status),
          b.stacks.map((s) => s.stackName).join(","),
          b.startedBy,
          timeText(b.createdAt),
        ]),
        "no upgrades",
      );
    },
  );

  for (const decision of ["approve", "reject"] as const) {
    const command = upgrades
      .command(decision)
      .description(
        decision === "approve"
          ? "Approve a batch awaiting approval: each stack's up then applies exactly its previewed plan, in order. Needs the approver role; whoever started the batch may not."
          : "Reject a batch awaiting approval: nothing is applied, every stack stays as it was. Needs the approver role; whoever started the batch may not.",
      )
      .argument("<upgrade-id>", "the batch (see `upgrades list`)")
      .option("--tenant <tenant>", "the tenant (name or id); required")
      .option("--comment <text>", `why, kept with the decision (at most ${MAX_COMMENT} characters)`);
    if (decision === "approve")
      command.option("--watch", "then follow the batch to its end; exit 1 unless it succeeds", false);
    apiAction<DecideFlags>(command, io, async ({ flags, args, api }) => {
      const tenant = required("--tenant", flags.tenant);
      const comment = decisionComment(flags.comment);
      const client = api();
      const request = { tenant, upgradeId: args[0] as string, comment };
      const decided =
        decision === "approve"
          ? await client.upgrades.approveUpgrade(request)
          : await client.upgrades.rejectUpgrade(request);
      await answer(io, client, tenant, decided, { json: flags.json, watch: flags.watch === true });
    });
  }
}

/** Prints the batch's id (the batch, under --json); with --watch, follows it first and fails unless it succeeded. */
async function answer(
  io: PlatformCliIo,
  client: PlatformClient,
  tenant: string,
  batch: UpgradeBatch,
  flags: { json: boolean; watch: boolean },
): Promise<void> {
  if (!flags.json) io.log(`upgrade ${batch.id} ${deploymentStatusText(batch.status)}`);
  if (!flags.watch) {
    if (flags.json) printJson(io, UpgradeBatchSchema, batch);
    return;
  }
  const progress: ProgressOutput = flags.json ? { log: io.err } : { log: io.log };
  const final = await follow(client, tenant, batch, progress);
  if (flags.json) printJson(io, UpgradeBatchSchema, final);
  if (final.status === DeploymentStatus.SUCCEEDED) {
    progress.log(`upgrade ${final.id} succeeded`);
    return;
  }
  throw StackwrightInputError.single(
    `upgrade ${final.id}`,
    `${deploymentStatusText(final.status)}${final.error ? `: ${plainText(final.error)}` : ""}`,
  );
}

/**
 * Follows a batch through WatchUpgrade to its end: each stack's steps as they start and end, its
 * preview's changes, the approval it waits for (and how to give it), each stack's outcome. A line
 * is printed once, however many snapshots repeat it.
 */
async function follow(
  client: PlatformClient,
  tenant: string,
  started: UpgradeBatch,
  out: ProgressOutput,
): Promise<UpgradeBatch> {
  const printed = new Set<string>();
  const say = (line: string) => {
    if (printed.has(line)) return;
    printed.add(line);
    out.log(line);
  };
  let current = started;
  for await (const snapshot of client.upgrades.watchUpgrade({ tenant, upgradeId: started.id })) {
    current = snapshot;
    for (const line of progressLines(snapshot, tenant)) say(line);
  }
  return current;
}

/** What a snapshot of the batch says, line by line, in an order that only grows as the batch goes on. */
function progressLines(batch: UpgradeBatch, tenant: string): string[] {
  const lines: string[] = [];
  for (const stack of batch.stacks) {
    const deployment = stack.deployment;
    if (deployment === undefined) continue;
    const name = cell(stack.stackName);
    for (const step of deployment.steps) {
      const job = step.jobId === "" ? "" : ` job ${step.jobId}`;
      lines.push(`${name}: ${stepNameText(step.name)} running${job}`);
      if (step.status !== DeploymentStepStatus.RUNNING)
        lines.push(
          `${name}: ${stepNameText(step.name)} ${stepStatusText(step.status)}${job}${step.detail ? `: ${cell(step.detail)}` : ""}`,
        );
    }
    if (stack.planHash !== "") {
      const changes = changesText(deployment.changes);
      lines.push(`${name}: plan ${stack.planHash}${changes === "" ? "" : ` (changes: ${changes})`}`);
    }
    if (deployment.finishedAt !== undefined)
      lines.push(
        `${name}: ${stack.skipped ? "not touched" : deploymentStatusText(deployment.status)}${deployment.error ? `: ${cell(deployment.error)}` : ""}`,
      );
  }
  const approval = batch.approval;
  if (approval?.decision === ApprovalDecision.UNSPECIFIED)
    lines.push(
      `upgrade ${batch.id} awaiting approval of ${batch.stacks.length} stacks, plan ${approval.planHash}`,
      `  approver role: ${roleText(approval.approverRole)} (not ${cell(batch.startedBy)}, who started it)`,
      `  expires:       ${timeText(approval.expiresAt)}`,
      `approve: stackwright upgrades approve ${batch.id} --tenant ${cell(tenant)} [--comment TEXT]`,
      `reject:  stackwright upgrades reject ${batch.id} --tenant ${cell(tenant)} [--comment TEXT]`,
    );
  else if (approval !== undefined)
    lines.push(
      `upgrade ${batch.id} ${decisionText(approval.decision)}${approval.decidedBy ? ` by ${cell(approval.decidedBy)}` : ""}`,
    );
  return lines;
}

function describe(io: PlatformCliIo, batch: UpgradeBatch): void {
  const approval = batch.approval;
  printFields(io, [
    ["upgrade", batch.id],
    ["template", `${batch.templateName}, to version ${batch.targetVersion}`],
    ["status", deploymentStatusText(batch.status)],
    ["error", batch.error || "-"],
    ["failure budget", String(batch.failureBudget)],
    ["started", `${timeText(batch.createdAt)} by ${batch.startedBy}`],
    ["finished", timeText(batch.finishedAt)],
    ["plan", approval?.planHash ?? "-"],
    [
      "approval",
      approval === undefined
        ? "-"
        : `${decisionText(approval.decision)}${approval.decidedBy ? ` by ${approval.decidedBy}` : ""} (role ${roleText(approval.approverRole)})`,
    ],
    ["failed", batch.failedStacks.join(", ") || "-"],
    ["not touched", batch.skippedStacks.join(", ") || "-"],
  ]);
  printTable(
    io,
    ["STACK", "FROM", "DEPLOYMENT", "STATUS", "PLAN", "STEPS"],
    batch.stacks.map((s) => [
      s.stackName,
      String(s.fromVersion),
      s.deployment?.id ?? "-",
      s.skipped
        ? "not touched"
        : s.deployment === undefined
          ? "-"
          : deploymentStatusText(s.deployment.status),
      s.planHash || "-",
      stepsText(s.deployment?.steps ?? []),
    ]),
    "no stacks",
  );
}

/** 0 or more. */
function wholeNumber(flag: string, raw: string): number {
  if (!/^\d{1,6}$/.test(raw)) throw StackwrightInputError.single(flag, "expected a whole number, 0 or more");
  return Number(raw);
}
