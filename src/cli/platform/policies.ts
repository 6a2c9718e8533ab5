import type { Command } from "commander";
import { StackwrightInputError } from "../../core/errors";
import {
  DeployPolicySchema,
  DeployPolicyScope,
  type FailurePolicy,
  type Role,
} from "../../jobs/api/gen/stackwright/platform/v1/platform_pb";
import { FAILURE_POLICY_ENUM, ROLE_ENUM } from "../../jobs/api/proto-enums";
import { oneOf } from "../flag-values";
import { type ApiFlags, apiAction, type PlatformCliIo } from "./command";
import { failurePolicyText, roleText } from "./deployments";
import { printJson } from "./output";

interface PolicyFlags extends ApiFlags {
  template?: string;
  tenant?: string;
  requireApproval: boolean;
  approverRole?: string;
  approvalTimeout?: string;
  onFailure?: string;
}

/** The service's bound on how long an approval may wait. */
const MAX_TIMEOUT_SECONDS = 90 * 24 * 3600;
const UNIT_SECONDS: Readonly<Record<string, number>> = { w: 7 * 86400, d: 86400, h: 3600, m: 60, s: 1 };

/** Who may approve: any role above Read-Only. */
const APPROVER_ROLES = new Map<string, Role>(
  ROLE_ENUM.all.filter((role) => role !== "read-only").map((role) => [role, ROLE_ENUM.toProto(role)]),
);
const FAILURE_POLICIES = new Map<string, FailurePolicy>(
  FAILURE_POLICY_ENUM.all.map((policy) => [policy, FAILURE_POLICY_ENUM.toProto(policy)]),
);

/** `stackwright policies …`: the deploy policies of templates and tenants. */
export function registerPolicyCommands(program: Command, io: PlatformCliIo): void {
  const policies = program
    .command("policies")
    .description(
      "Set the deploy policy of a template or a tenant: whether its deploys wait for an approver, " +
        "which role approves, for how long, and what a failed up does.",
    );

  apiAction<PolicyFlags>(
    policies
      .command("set")
      .description(
        "Set (replace) the deploy policy of a template (whoever manages it) or of a tenant (its " +
          "Tenant Admins). A deploy waits for approval when its template's or its tenant's policy " +
          "asks for it: then an approver with the higher of the two roles decides, within the " +
          "shorter timeout.",
      )
      .option("--template <template>", "the template (name or id); this or --tenant")
      .option("--tenant <tenant>", "the tenant (name or id); this or --template")
      .option(
        "--require-approval",
        "deploys wait, after their preview, until an approver approves the plan (default: they do not)",
        false,
      )
      .option(
        "--approver-role <role>",
        `who approves: ${[...APPROVER_ROLES.keys()].join(", ")}, or a role above it (default: tenant-admin)`,
      )
      .option(
        "--approval-timeout <duration>",
        "how long a deploy waits for a decision before it expires, e.g. 90m, 12h, 2d or 1w, at most 90d (default: 7d)",
      )
      .option(
        "--on-failure <policy>",
        "when a first deploy's up fails: destroy what it created (after a refresh), or keep it (default: destroy)",
      )
      .addHelpText(
        "after",
        "\nExamples:\n  stackwright policies set --template greeter --require-approval --approver-role tenant-admin \\\n" +
          "    --approval-timeout 2d --on-failure destroy\n  stackwright policies set --tenant team-a --on-failure keep",
      ),
    io,
    async ({ flags, api }) => {
      if ((flags.template === undefined) === (flags.tenant === undefined))
        throw StackwrightInputError.single(
          "--template",
          "give either --template TEMPLATE or --tenant TENANT",
        );
      const [scope, ref] =
        flags.template === undefined
          ? [DeployPolicyScope.TENANT, flags.tenant as string]
          : [DeployPolicyScope.TEMPLATE, flags.template];
      if (ref === "")
        throw StackwrightInputError.single(
          flags.template === undefined ? "--tenant" : "--template",
          "is required",
        );
      for (const [flag, value] of [
        ["--approver-role", flags.approverRole],
        ["--approval-timeout", flags.approvalTimeout],
      ] as const)
        if (value !== undefined && !flags.requireApproval)
          throw StackwrightInputError.single(flag, "applies only with --require-approval");
      const approverRole =
        flags.approverRole === undefined
          ? undefined
          : oneOf("--approver-role", flags.approverRole, APPROVER_ROLES);
      const approvalTimeoutSeconds =
        flags.approvalTimeout === undefined
          ? 0
          : durationSeconds("--approval-timeout", flags.approvalTimeout);
      const onFailure =
        flags.onFailure === undefined ? undefined : oneOf("--on-failure", flags.onFailure, FAILURE_POLICIES);
      const policy = await api().stacks.setDeployPolicy({
        scope,
        ref,
        policy: {
          requireApproval: flags.requireApproval,
          ...(approverRole !== undefined && { approverRole }),
          approvalTimeoutSeconds,
          ...(onFailure !== undefined && { onFailure }),
        },
      });
      if (flags.json) {
        printJson(io, DeployPolicySchema, policy);
        return;
      }
      const gate = policy.requireApproval
        ? `deploys wait for approval by ${roleText(policy.approverRole)} (or a role above) for at most ${durationText(policy.approvalTimeoutSeconds)}`
        : "deploys need no approval";
      io.log(
        `deploy policy of ${flags.template === undefined ? "tenant" : "template"} ${ref} set: ${gate}; ` +
          `when a first deploy's up fails: ${failurePolicyText(policy.onFailure)}`,
      );
    },
  );
}

/** `90m`, `12h`, `2d`, `1w`, `1d12h`: whole seconds from 1 to 90 days. */
export function durationSeconds(flag: string, raw: string): number {
  const parts = /^(\d+[wdhms])+$/.test(raw) ? [...raw.matchAll(/(\d+)([wdhms])/g)] : [];
  const seconds = parts.reduce(
    (sum, [, n, unit]) => sum + Number(n) * (UNIT_SECONDS[unit as string] ?? 0),
    0,
  );
  if (parts.length === 0 || seconds < 1 || seconds > MAX_TIMEOUT_SECONDS)
    throw StackwrightInputError.single(
      flag,
      "expected a duration from 1s to 90d, in w, d, h, m and s: e.g. 90m, 12h, 2d or 1d12h",
    );
  return seconds;
}

/** Seconds as `1d12h`, `2d`, `90s`. */
export function durationText(seconds: number): string {
  let rest = seconds;
  let text = "";
  for (const [unit, size] of Object.entries(UNIT_SECONDS)) {
    if (unit === "w" || rest < size) continue;
    text += `${Math.floor(rest / size)}${unit}`;
    rest %= size;
  }
  return text || "0s";
}
