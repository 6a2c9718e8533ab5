import type { Permission } from "../../catalog/permissions";
import type { Problem } from "../../core/errors";
import { type Caller, SERVICE_CALLER } from "../domain/caller";
import type { TemplateVersion } from "../domain/catalogue";
import { PlatformError } from "../domain/platform-error";
import type { TenantStack } from "../domain/tenant-stack";
import type {
  StartUpgradeRequest,
  UpgradeBatch,
  UpgradeInput,
  UpgradesContract,
  UpgradeWorkflows,
} from "../domain/upgrade";
import { recordAudit } from "../store/audit-log";
import { CatalogueStore } from "../store/catalogue-store";
import { DeploymentStore } from "../store/deployment-store";
import type { SqlDatabase } from "../store/sql-database";
import { TenancyStore } from "../store/tenancy-store";
import { TenantStackStore } from "../store/tenant-stack-store";
import { UpgradeStore } from "../store/upgrade-store";
import { checkDecider, decisionComment } from "./approval-rules";
import { auditedChange } from "./audited-change";
import { requirePermission } from "./caller";
import type { CatalogueService } from "./catalogue-service";
import type { TenantStackOrchestrator } from "./tenant-stack-orchestrator";

export interface UpgradeServiceOptions {
  readonly db: SqlDatabase;
  readonly catalogue: CatalogueService;
  /** For what a deploy is checked by: parameters under the tenant's constraint, the deploy policy. */
  readonly stacks: TenantStackOrchestrator;
  /** The workflow engine, once it is started. */
  readonly workflows: () => UpgradeWorkflows | undefined;
}

/** Statuses a stack may be upgraded from: not in flight, not destroyed. */
const UPGRADABLE = ["pending", "deployed", "failed"] as const;
/** The most stacks one batch moves; a larger estate goes in several. */
const MAX_BATCH_STACKS = 500;

/**
 * Bulk upgrades of a tenant's stacks of a template (src/jobs/workflows/upgrade-workflow.ts runs
 * them): checked here at once, as a deploy is — the version published, each stack's parameters
 * valid under it — then held (`deploying`) by the batch until its workflow applies or releases
 * each one.
 */
export class UpgradeService implements UpgradesContract {
  constructor(private readonly options: UpgradeServiceOptions) {}

  async start(caller: Caller, request: StartUpgradeRequest): Promise<UpgradeBatch> {
    const { db } = this.options;
    const tenant = await this.tenantOf(caller, request.tenant, "pulumi:stack:deploy");
    const failureBudget = request.failureBudget ?? 0;
    const problems: Problem[] = [];
    if (!Number.isInteger(request.version) || request.version < 1)
      problems.push({ at: "version", message: "expected a published version: 1 or more" });
    if (!Number.isInteger(failureBudget) || failureBudget < 0)
      problems.push({ at: "failureBudget", message: "expected 0 or more stacks" });
    const names = request.stacks ?? [];
    if (new Set(names).size !== names.length)
      problems.push({ at: "stacks", message: "names a stack more than once" });
    if (problems.length > 0) throw PlatformError.invalid(problems);
    const template = await this.options.catalogue.visible(request.template, tenant.id);
    const version = await new CatalogueStore(db).version(template.id, request.version);
    if (version === undefined || version.state === "draft")
      throw PlatformError.of("not_found", "version", `no published version ${request.version}`);
    if (version.state === "deprecated")
      throw PlatformError.of("failed_precondition", "version", `version ${version.version} is deprecated`);

    let stacks: TenantStack[];
    if (names.length > 0) {
      stacks = await this.named(tenant.id, names);
      for (const [i, stack] of stacks.entries())
        if (stack.templateId !== template.id)
          problems.push({ at: `stacks[${i}]`, message: `${stack.name} is a stack of another template` });
        else if (stack.templateVersion === version.version)
          problems.push({
            at: `stacks[${i}]`,
            message: `${stack.name} is at version ${version.version} already`,
          });
      if (problems.length > 0) throw PlatformError.invalid(problems);
    } else
      stacks = (await this.all(tenant.id)).filter(
        (stack) => stack.templateId === template.id && stack.templateVersion !== version.version,
      );
    if (stacks.length === 0)
      throw PlatformError.of(
        "failed_precondition",
        "template",
        `the tenant has no stacks of ${template.name} to move to version ${version.version}`,
      );
    if (stacks.length > MAX_BATCH_STACKS)
      throw PlatformError.of("invalid_argument", "stacks", `at most ${MAX_BATCH_STACKS} stacks in one batch`);
    const busy = stacks.filter((stack) => !(UPGRADABLE as readonly string[]).includes(stack.status));
    if (busy.length > 0)
      throw PlatformError.of(
        "failed_precondition",
        "stacks",
        `${busy.map((s) => `${s.name} is ${s.status}`).join(", ")}: wait for it to finish`,
      );
    const parameters = await this.parametersAt(stacks, version);

    const policy = await this.options.stacks.effectivePolicy(template.id, tenant.id);
    const started = await db.transaction(async (tx) => {
      const stackStore = new TenantStackStore(tx);
      const deployments = new DeploymentStore(tx);
      const held: { stack: TenantStack; deploymentId: string }[] = [];
      for (const stack of stacks) {
        await tx.run(
          "UPDATE tenant_stacks SET template_version = ?, parameters = ? WHERE id = ? AND status = ?",
          [version.version, JSON.stringify(parameters.get(stack.id)), stack.id, stack.status],
        );
        if (
          !(await stackStore.transition(stack.id, [stack.status], "deploying", { deployedBy: caller.actor }))
        )
          throw PlatformError.of("failed_precondition", "stacks", `${stack.name} changed: start again`);
        const deploymentId = await deployments.create({
          tenantId: tenant.id,
          stackId: stack.id,
          kind: "deploy",
          templateVersion: version.version,
          priorStackStatus: stack.status,
          startedBy: caller.actor,
        });
        held.push({ stack, deploymentId });
      }
      const batchId = await new UpgradeStore(tx).create({
        tenantId: tenant.id,
        templateId: template.id,
        targetVersion: version.version,
        failureBudget,
        startedBy: caller.actor,
        stacks: held.map(({ stack, deploymentId }) => ({
          stackId: stack.id,
          deploymentId,
          fromVersion: stack.templateVersion,
          fromParameters: stack.parameters,
          fromDeployedBy: stack.deployedBy,
          fromDeployedAt: stack.deployedAt,
        })),
      });
      await recordAudit(tx, {
        actor: caller.actor,
        tenantId: tenant.id,
        action: "upgrade.start",
        target: `upgrade:${batchId}`,
        before: null,
        after: {
          template: template.name,
          version: version.version,
          failureBudget,
          stacks: held.map(({ stack, deploymentId }) => ({
            name: stack.name,
            from: stack.templateVersion,
            deployment: deploymentId,
          })),
        },
      });
      return { batchId, held };
    });
    const input: UpgradeInput = {
      batchId: started.batchId,
      failureBudget,
      approval: { approverRole: policy.approverRole, timeoutMs: policy.approvalTimeoutMs },
      onFailure: policy.onFailure,
      stacks: started.held.map(({ stack, deploymentId }) => ({
        deploymentId,
        firstDeploy: stack.deployedAt === null,
      })),
    };
    await new UpgradeStore(db).setInput(started.batchId, input);
    try {
      await this.workflows().startUpgrade(input);
    } catch (error) {
      await this.abandon(
        started.batchId,
        `the workflow could not start: ${error instanceof Error ? error.message : String(error)}`,
      );
      throw error;
    }
    return this.batchOf(tenant.id, started.batchId);
  }

  async get(caller: Caller, request: { tenant: string; upgradeId: string }): Promise<UpgradeBatch> {
    const tenant = await this.tenantOf(caller, request.tenant, "pulumi:template:read");
    return this.batchOf(tenant.id, request.upgradeId);
  }

  async list(caller: Caller, request: { tenant: string; limit?: number }): Promise<UpgradeBatch[]> {
    const tenant = await this.tenantOf(caller, request.tenant, "pulumi:template:read");
    const limit = request.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw PlatformError.of("invalid_argument", "limit", "expected 1 to 500");
    return new UpgradeStore(this.options.db).ofTenant(tenant.id, limit);
  }

  /** Records an approver's decision on the batch, for every stack in it, then lets its workflow go on. */
  async decide(
    caller: Caller,
    request: { tenant: string; upgradeId: string; decision: "approved" | "rejected"; comment?: string },
  ): Promise<UpgradeBatch> {
    const tenant = await this.tenantOf(caller, request.tenant, "pulumi:template:read");
    const batch = await this.batchOf(tenant.id, request.upgradeId);
    const approval = batch.approval;
    if (approval === null || approval.decision !== null || batch.status !== "awaiting_approval")
      throw PlatformError.of(
        "failed_precondition",
        "upgradeId",
        approval?.decision != null
          ? `the approval was ${approval.decision} already`
          : `upgrade batch ${batch.id} is ${batch.status}, not awaiting approval`,
      );
    checkDecider(caller, {
      tenantId: tenant.id,
      approverRole: approval.approverRole,
      startedBy: batch.startedBy,
      decision: request.decision,
      field: "upgradeId",
      what: "upgrade batch",
    });
    const comment = decisionComment(request.comment);
    await auditedChange(this.options.db, caller, tenant.id, `upgrade.${request.decision}`, async (tx) => {
      await tx.serialize(`upgrade:${batch.id}`);
      const store = new UpgradeStore(tx);
      if (!(await store.decide(batch.id, request.decision, caller.actor, comment)))
        throw PlatformError.of("failed_precondition", "upgradeId", "the approval was decided already");
      // Approved, it runs on (its ups); rejected, its workflow ends it and puts the stacks back.
      if (request.decision === "approved") await store.setStatus(batch.id, "running");
      await store.decideStacks((await store.get(batch.id)) ?? batch, request.decision, caller.actor, comment);
      return {
        result: undefined,
        target: `upgrade:${batch.id}`,
        after: { planHash: approval.planHash, comment },
      };
    });
    await this.workflows().signalUpgradeDecision(batch.id, { decision: request.decision });
    return this.batchOf(tenant.id, batch.id);
  }

  /** Starts again the workflow of every batch not yet ended (one already running is left alone). */
  async reconcile(): Promise<void> {
    for (const input of await new UpgradeStore(this.options.db).openInputs())
      await this.workflows().startUpgrade(input);
  }

  /** The tenant's live stacks of any template, by name: the template is checked by the caller. */
  private async all(tenantId: string): Promise<TenantStack[]> {
    const store = new TenantStackStore(this.options.db);
    const found: TenantStack[] = [];
    for (let afterName = ""; ; ) {
      const page = await store.list({ tenantId, afterName, limit: 500 });
      found.push(...page);
      if (page.length < 500) return found;
      afterName = page.at(-1)?.name ?? "";
    }
  }

  /** The named stacks, in the order named; every name not found is a problem of its own. */
  private async named(tenantId: string, names: readonly string[]): Promise<TenantStack[]> {
    const store = new TenantStackStore(this.options.db);
    const problems: Problem[] = [];
    const found: TenantStack[] = [];
    for (const [i, name] of names.entries()) {
      const stack = typeof name === "string" ? await store.byName(tenantId, name) : undefined;
      if (stack === undefined) problems.push({ at: `stacks[${i}]`, message: `no stack ${name}` });
      else found.push(stack);
    }
    if (problems.length > 0) throw new PlatformError("not_found", problems);
    return found;
  }

  /** Each stack's parameters as the new version takes them (defaults filled in); every problem named by stack. */
  private async parametersAt(
    stacks: readonly TenantStack[],
    version: TemplateVersion,
  ): Promise<Map<string, Record<string, unknown>>> {
    const checked = new Map<string, Record<string, unknown>>();
    const problems: Problem[] = [];
    for (const stack of stacks) {
      const { plain, problems: invalid } = await this.options.stacks.parametersFor(stack, version);
      checked.set(stack.id, plain);
      for (const problem of invalid)
        problems.push({ at: `${stack.name}.${problem.at}`, message: problem.message });
    }
    if (problems.length > 0) throw PlatformError.invalid(problems);
    return checked;
  }

  /** Ends a batch that never got its workflow: its stacks put back as they were, it failed. */
  private async abandon(batchId: string, error: string): Promise<void> {
    const store = new UpgradeStore(this.options.db);
    const batch = await store.get(batchId);
    if (batch === undefined) return;
    await auditedChange(this.options.db, SERVICE_CALLER, batch.tenantId, "upgrade.failed", async (tx) => {
      const txStore = new UpgradeStore(tx);
      for (const stack of batch.stacks) {
        await new DeploymentStore(tx).setStatus(stack.deployment.id, "failed", { error });
        await txStore.restoreStack(stack.deployment.id, stack.deployment.priorStackStatus);
      }
      await txStore.setStatus(batchId, "failed", error);
      return { result: undefined, target: `upgrade:${batchId}`, after: { error } };
    });
  }

  private workflows(): UpgradeWorkflows {
    const workflows = this.options.workflows();
    if (workflows === undefined)
      throw PlatformError.of(
        "failed_precondition",
        "upgrade",
        "the service's workflow engine is not running",
      );
    return workflows;
  }

  private async batchOf(tenantId: string, upgradeId: string): Promise<UpgradeBatch> {
    const batch =
      typeof upgradeId === "string" && upgradeId !== ""
        ? await new UpgradeStore(this.options.db).get(upgradeId)
        : undefined;
    if (batch === undefined || batch.tenantId !== tenantId)
      throw PlatformError.of("not_found", "upgradeId", `no upgrade batch ${upgradeId}`);
    return batch;
  }

  private async tenantOf(caller: Caller, ref: string, permission: Permission) {
    const tenant =
      typeof ref === "string" && ref !== "" ? await new TenancyStore(this.options.db).tenant(ref) : undefined;
    if (tenant === undefined) throw PlatformError.of("not_found", "tenant", `no tenant ${ref}`);
    requirePermission(caller, permission, tenant.id, { at: "tenant", name: "tenant" });
    return tenant;
  }
}
