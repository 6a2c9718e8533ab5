import type { Command } from "commander";
import { StackwrightInputError } from "../../core/errors";
import {
  DeploymentSchema,
  ListPendingApprovalsResponseSchema,
} from "../../jobs/api/gen/stackwright/platform/v1/platform_pb";
import { required } from "../flag-values";
import type { ProgressOutput } from "../job-progress";
import { timeText } from "../table";
import { type ApiFlags, apiAction, type PlatformCliIo } from "./command";
import { decisionText, finishDeployment, followDeployment, isTerminal, roleText } from "./deployments";
import { printJson, printTable } from "./output";

interface ApprovalFlags extends ApiFlags {
  tenant?: string;
}

interface DecideFlags extends ApprovalFlags {
  comment?: string;
  /** approve only. */
  watch?: boolean;
}

/** The service's bound on a decision's comment. */
/** The longest comment a decision carries (the service's bound, checked before anything is sent). */
export const MAX_COMMENT = 2000;

/** A decision's --comment, checked: empty when not given. */
export function decisionComment(raw: string | undefined): string {
  const comment = raw ?? "";
  if (comment.length > MAX_COMMENT)
    throw StackwrightInputError.single("--comment", `at most ${MAX_COMMENT} characters`);
  return comment;
}

/** `stackwright approvals …`: deployments waiting at their approval gate, and the decisions on them. */
export function registerApprovalCommands(program: Command, io: PlatformCliIo): void {
  const approvals = program
    .command("approvals")
    .description(
      "List the deployments waiting for approval, and approve or reject them: an approval is bound " +
        "to the plan previewed, which is what the deploy then applies.",
    );

  apiAction<ApprovalFlags>(
    approvals
      .command("list")
      .description(
        "List a tenant's deployments awaiting approval, oldest first: the stack, who started it, the " +
          "plan's hash, the role an approver needs, how many advisory policy findings its preview had " +
          "(--json, or the deploy's --watch, lists them) and when the request expires.",
      )
      .option("--tenant <tenant>", "the tenant (name or id); required"),
    io,
    async ({ flags, api }) => {
      const tenant = required("--tenant", flags.tenant);
      const answer = await api().stacks.listPendingApprovals({ tenant });
      if (flags.json) {
        printJson(io, ListPendingApprovalsResponseSchema, answer);
        return;
      }
      printTable(
        io,
        [
          "DEPLOYMENT",
          "STACK",
          "STARTED BY",
          "APPROVER ROLE",
          "PLAN",
          "POLICY FINDINGS",
          "REQUESTED",
          "EXPIRES",
        ],
        answer.deployments.map((d) => [
          d.id,
          d.stackName,
          d.startedBy,
          d.approval === undefined ? "-" : roleText(d.approval.approverRole),
          d.approval?.planHash ?? "-",
          d.policyFindings.length === 0 ? "-" : String(d.policyFindings.length),
          timeText(d.approval?.requestedAt),
          timeText(d.approval?.expiresAt),
        ]),
        "no pending approvals",
      );
    },
  );

  for (const decision of ["approve", "reject"] as const) {
    const command = approvals
      .command(decision)
      .description(
        decision === "approve"
          ? "Approve a deployment awaiting approval: its up applies exactly the plan previewed, or " +
              "nothing when the template version, the parameters or the plan changed since. Needs " +
              "the approver role; whoever started the deployment may not."
          : "Reject a deployment awaiting approval: it ends rejected, nothing applied. Needs the " +
              "approver role; whoever started the deployment may not.",
      )
      .argument("<deployment-id>", "the deployment (see `approvals list`)")
      .option("--tenant <tenant>", "the tenant (name or id); required")
      .option(
        "--comment <text>",
        `why, kept with the decision and in the audit log (at most ${MAX_COMMENT} characters)`,
      )
      .addHelpText(
        "after",
        `\nExample:\n  stackwright approvals ${decision} 3f0c9a12-… --tenant team-a --comment "${
          decision === "approve" ? "reviewed: adds one bucket" : "too large: split it"
        }"${decision === "approve" ? " --watch" : ""}`,
      );
    if (decision === "approve")
      command.option(
        "--watch",
        "then follow the deployment to its end, as `stacks deploy --watch` does; exit 1 unless it succeeds",
        false,
      );
    apiAction<DecideFlags>(command, io, async ({ flags, args, api }) => {
      const tenant = required("--tenant", flags.tenant);
      const comment = decisionComment(flags.comment);
      const client = api();
      const request = { tenant, deploymentId: args[0] as string, comment };
      const decided =
        decision === "approve"
          ? await client.stacks.approveDeployment(request)
          : await client.stacks.rejectDeployment(request);
      const progress: ProgressOutput = flags.json
        ? { log: io.err, ...(io.stderr && { terminal: io.stderr }) }
        : { log: io.log, ...(io.stdout && { terminal: io.stdout }) };
      const approval = decided.approval;
      progress.log(
        `deployment ${decided.id} ${approval === undefined ? "decided" : decisionText(approval.decision)}` +
          (approval === undefined ? "" : ` (plan ${approval.planHash})`),
      );
      const final =
        flags.watch === true && !isTerminal(decided)
          ? await followDeployment(client, tenant, decided, progress, true)
          : decided;
      if (flags.json) printJson(io, DeploymentSchema, final);
      if (flags.watch === true) finishDeployment(final, progress);
    });
  }
}
