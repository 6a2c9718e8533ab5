import type { Command } from "commander";
import { registerApprovalCommands } from "./approvals";
import { registerAuditCommand } from "./audit";
import type { PlatformCliIo } from "./command";
import { registerConstraintCommands } from "./constraints";
import { registerPolicyCommands } from "./policies";
import { registerPolicyPackCommands } from "./policy-packs";
import { registerStackCommands } from "./stacks";
import { registerTemplateCommands } from "./templates";
import { registerTenantCommands } from "./tenants";
import { registerTokenCommands } from "./tokens";
import { registerUpgradeCommands } from "./upgrades";
import { registerUserCommands } from "./users";

export type { PlatformCliIo } from "./command";
export { readProcessStdin } from "./secret-values";

/**
 * The catalogue's client commands: templates, stacks (and their deployments), approvals, deploy
 * policies, constraints, tenants, users, tokens and the audit log, over the platform API `stackwright serve` answers. Failures are thrown as
 * StackwrightInputError, so `stackwright` prints them as `stackwright: error: …` and exits 1.
 */
export function registerPlatformCommands(program: Command, io: PlatformCliIo): void {
  registerTemplateCommands(program, io);
  registerStackCommands(program, io);
  registerApprovalCommands(program, io);
  registerUpgradeCommands(program, io);
  registerPolicyCommands(program, io);
  registerPolicyPackCommands(program, io);
  registerConstraintCommands(program, io);
  registerTenantCommands(program, io);
  registerUserCommands(program, io);
  registerTokenCommands(program, io);
  registerAuditCommand(program, io);
}
