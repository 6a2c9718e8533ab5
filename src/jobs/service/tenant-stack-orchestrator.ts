import { randomBytes } from "node:crypto";
import { UNCONSTRAINED } from "../../catalog/constraints";
import { nameProblem } from "../../catalog/names";
import { isRole, ROLES, type Role } from "../../catalog/permissions";
import {
  checkParameters,
  stackParametersUnder,
  tenantParameterValidator,
} from "../../catalog/stack-parameters";
import type { Problem } from "../../core/errors";
import { type Caller, SERVICE_CALLER } from "../domain/caller";
import type { TemplateVersion } from "../domain/catalogue";
import {
  DEPLOY_POLICY_SCOPES,
  type Deployment,
  type DeploymentInput,
  type DeploymentKind,
  type DeploymentWorkflows,
  type DeployPolicy,
  type DeployPolicyScope,
  FAILURE_POLICIES,
  type FailurePolicy,
} from "../domain/deployment";
import type { Job, JobEvent } from "../domain/job";
import type { JobService } from "../domain/job-service";
import type {
  DeployStackRequest,
  PreviewStackRequest,
  StackRef,
  StartedDeployment,
  TenantStacksContract,
} from "../domain/platform-contracts";
import { PlatformError } from "../domain/platform-error";
import type { TenantStack } from "../domain/tenant-stack";
import type { Envelope } from "../secrets/envelope";
import { recordAudit } from "../store/audit-log";
import { CatalogueStore } from "../store/catalogue-store";
import { DeploymentStore } from "../store/deployment-store";
import { JobStore } from "../store/job-store";
import { SealedSecretStore } from "../store/sealed-secret-store";
import { isUniqueViolation, type SqlDatabase, type SqlTransaction } from "../store/sql-database";
import { TenancyStore } from "../store/tenancy-store";
import { TenantStackStore } from "../store/tenant-stack-store";
import { checkDecider, decisionComment } from "./approval-rules";
import { auditedChange } from "./audited-change";
import { requirePermission } from "./caller";
import { type CatalogueService, requireManager } from "./catalogue-service";

/** The job-store key of a tenant stack's jobs, and the one place that spells it. */
export const TENANT_STACK_KEY_PREFIX = "tenant-stack:";
export const tenantStackKey = (stackId: string) => `${TENANT_STACK_KEY_PREFIX}${stackId}`;
export const PASSPHRASE_SECRET = "passphrase";
export const SECRET_PARAMETER_PREFIX = "parameter:";
/** Where a tenant stack's secrets are sealed: its owner in the sealed-secret store and the envelope's context. */
export const stackSecretOwner = (stackId: string) => `stack:${stackId}`;
export const tenantSecretOwner = (tenantId: string) => `tenant:${tenantId}`;

export interface OrchestratorOptions {
  readonly db: SqlDatabase;
  readonly catalogue: CatalogueService;
  readonly envelope: Envelope;
  /** Where a new stack's state goes: a backend URL of its own. */
  readonly stateLocation: (tenantId: string, stackId: string) => string;
  /** The job service, whose get and watch a tenant's members use for their stacks' jobs. */
  readonly jobs: JobService;
  /** The workflow engine that runs deployments, once it is started. */
  readonly workflows: () => DeploymentWorkflows | undefined;
}

/** Approval gates wait this long unless a policy says otherwise. */
export const DEFAULT_DEPLOY_POLICY: DeployPolicy = {
  requireApproval: false,
  approverRole: "tenant-admin",
  approvalTimeoutMs: 7 * 24 * 3600 * 1000,
  onFailure: "destroy",
};

/**
 * A tenant stack's life: a request is validated here, at once, against the tenant's effective
 * parameters and limits; the stack is recorded and a deployment — a durable workflow
 * (src/jobs/workflows) — takes it from there: preview, approval, up, record, compensation.
 */
export class TenantStackOrchestrator implements TenantStacksContract {
  constructor(private readonly options: OrchestratorOptions) {}

  async deploy(caller: Caller, request: DeployStackRequest): Promise<StartedDeployment> {
    const { db } = this.options;
    const tenant = await this.tenantOf(caller, request.tenant, "pulumi:stack:deploy");
    const problems: Problem[] = [];
    const badName = nameProblem(request.name, "name");
    if (badName) problems.push(badName);
    const template = await this.options.catalogue.visible(request.template, tenant.id);
    const catalogue = new CatalogueStore(db);
    const version =
      request.version === undefined
        ? await catalogue.latestVersion(template.id, "published")
        : await catalogue.version(template.id, request.version);
    if (version === undefined || version.state === "draft")
      throw PlatformError.of(
        request.version === undefined ? "failed_precondition" : "not_found",
        "version",
        request.version === undefined
          ? "the template has no published version"
          : `no published version ${request.version}`,
      );
    const existing = badName ? undefined : await new TenantStackStore(db).byName(tenant.id, request.name);
    if (version.state === "deprecated" && existing?.templateVersion !== version.version)
      problems.push({
        at: "version",
        message: `version ${version.version} is deprecated; choose a newer one`,
      });
    const constraint = (await catalogue.constraint(template.id, tenant.id))?.constraint ?? UNCONSTRAINED;
    const stored =
      existing === undefined ? new Map<string, string>() : await this.storedSecretParameters(existing.id);
    const checked = checkParameters(
      version.parameters,
      tenantParameterValidator(version, constraint),
      request.parameters ?? {},
      request.secretParameters ?? {},
      stored,
    );
    problems.push(...checked.problems);
    if (problems.length > 0) throw PlatformError.invalid(problems);

    const policy = await this.effectivePolicy(template.id, tenant.id);
    const started = await db.transaction(async (tx) => {
      const stacks = new TenantStackStore(tx);
      let target = existing;
      if (target === undefined) {
        let created: TenantStack | "limit-reached";
        try {
          created = await TenantStackStore.createWithin(
            tx,
            {
              tenantId: tenant.id,
              name: request.name,
              templateId: template.id,
              templateVersion: version.version,
              parameters: checked.plain,
              stateLocation: "",
              createdBy: caller.actor,
            },
            constraint.maxInstances,
          );
        } catch (error) {
          if (isUniqueViolation(error))
            throw PlatformError.of("already_exists", "name", `stack ${request.name} exists`);
          throw error;
        }
        if (created === "limit-reached")
          throw PlatformError.of(
            "resource_exhausted",
            "template",
            `the tenant has ${constraint.maxInstances} live stacks of ${template.name}, its limit (maxInstances)`,
          );
        target = created;
        await tx.run("UPDATE tenant_stacks SET state_location = ? WHERE id = ?", [
          this.options.stateLocation(tenant.id, created.id),
          created.id,
        ]);
        await new SealedSecretStore(tx).put(
          stackSecretOwner(created.id),
          PASSPHRASE_SECRET,
          this.options.envelope.seal(
            randomBytes(32).toString("base64url"),
            `${stackSecretOwner(created.id)}/${PASSPHRASE_SECRET}`,
          ),
        );
      } else if (existing !== undefined) {
        await tx.run("UPDATE tenant_stacks SET template_version = ?, parameters = ? WHERE id = ?", [
          version.version,
          JSON.stringify(checked.plain),
          existing.id,
        ]);
      }
      const secrets = new SealedSecretStore(tx);
      for (const [name, value] of Object.entries(request.secretParameters ?? {}))
        await secrets.put(
          stackSecretOwner(target.id),
          `${SECRET_PARAMETER_PREFIX}${name}`,
          this.options.envelope.seal(
            value,
            `${stackSecretOwner(target.id)}/${SECRET_PARAMETER_PREFIX}${name}`,
          ),
        );
      const deploymentId = await this.beginDeployment(tx, caller, target, "deploy", version.version);
      if (
        !(await stacks.transition(target.id, ["pending", "deployed", "failed"], "deploying", {
          deployedBy: caller.actor,
          error: null,
        }))
      )
        throw PlatformError.of(
          "failed_precondition",
          "name",
          `stack ${request.name} is ${target.status}; wait for it to finish`,
        );
      await recordAudit(tx, {
        actor: caller.actor,
        tenantId: tenant.id,
        action: "stack.deploy",
        target: `stack:${target.id}`,
        before: existing === undefined ? null : auditView(existing),
        after: {
          name: request.name,
          template: template.name,
          version: version.version,
          parameters: checked.plain,
          secretParameters: Object.keys(request.secretParameters ?? {}),
          deployment: deploymentId,
        },
      });
      return { stackId: target.id, deploymentId, firstDeploy: target.deployedAt === null };
    });
    return this.launch(started.stackId, started.deploymentId, {
      kind: "deploy",
      approval: policy.requireApproval
        ? { approverRole: policy.approverRole, timeoutMs: policy.approvalTimeoutMs }
        : null,
      onFailure: policy.onFailure,
      firstDeploy: started.firstDeploy,
    });
  }

  /**
   * A preview of the stack as it stands, or with another version of its template: what deploying
   * that version would change. The deployment records the version, its job runs that version's
   * program (job-targets); the stack keeps its own.
   */
  async preview(caller: Caller, request: PreviewStackRequest): Promise<StartedDeployment> {
    const tenant = await this.tenantOf(caller, request.tenant, "pulumi:stack:deploy");
    const stack = await this.stackOf(tenant.id, request.name);
    const version =
      request.version === undefined || request.version === 0 || request.version === stack.templateVersion
        ? stack.templateVersion
        : await this.previewedVersion(caller, stack, request.version);
    const deploymentId = await this.options.db.transaction((tx) =>
      this.beginDeployment(tx, caller, stack, "preview", version),
    );
    return this.launch(stack.id, deploymentId, {
      kind: "preview",
      approval: null,
      onFailure: "keep",
      firstDeploy: false,
    });
  }

  /**
   * Another version of the stack's template to preview the stack with: one that exists; a draft
   * only for whoever manages the template (the catalogue's rule); the stack's parameters, stored
   * secret ones too, valid under it and the tenant's constraint, as a deploy of it would need.
   */
  private async previewedVersion(caller: Caller, stack: TenantStack, requested: number): Promise<number> {
    if (!Number.isInteger(requested) || requested < 1)
      throw PlatformError.of(
        "invalid_argument",
        "version",
        "expected a version number, or 0 for the stack's own",
      );
    const catalogue = new CatalogueStore(this.options.db);
    const version = await catalogue.version(stack.templateId, requested);
    if (version === undefined)
      throw PlatformError.of("not_found", "version", `the stack's template has no version ${requested}`);
    if (version.state === "draft") {
      const template = await catalogue.templateById(stack.templateId);
      if (template === undefined)
        throw PlatformError.of("not_found", "version", `the stack's template has no version ${requested}`);
      requireManager(caller, template, { at: "version", ref: template.id });
    }
    const { problems } = await this.parametersFor(stack, version);
    if (problems.length > 0) throw PlatformError.invalid(problems);
    return version.version;
  }

  async destroy(caller: Caller, request: StackRef): Promise<StartedDeployment> {
    const tenant = await this.tenantOf(caller, request.tenant, "pulumi:stack:destroy");
    const stack = await this.stackOf(tenant.id, request.name);
    const deploymentId = await auditedChange(
      this.options.db,
      caller,
      tenant.id,
      "stack.destroy",
      async (tx) => {
        const id = await this.beginDeployment(tx, caller, stack, "destroy", stack.templateVersion);
        if (
          !(await new TenantStackStore(tx).transition(
            stack.id,
            ["pending", "deployed", "failed"],
            "destroying",
            {},
          ))
        )
          throw PlatformError.of(
            "failed_precondition",
            "name",
            `stack ${request.name} is ${stack.status}; wait for it to finish`,
          );
        return {
          result: id,
          target: `stack:${stack.id}`,
          before: auditView(stack),
          after: { deployment: id },
        };
      },
    );
    return this.launch(stack.id, deploymentId, {
      kind: "destroy",
      approval: null,
      onFailure: "keep",
      firstDeploy: false,
    });
  }

  /** Records an approver's decision on a pending approval, then lets the waiting workflow go on. */
  async decide(
    caller: Caller,
    request: { tenant: string; deploymentId: string; decision: "approved" | "rejected"; comment?: string },
  ): Promise<Deployment> {
    const tenant = await this.tenantOf(caller, request.tenant, "pulumi:template:read");
    const deployment = await this.deploymentOf(tenant.id, request.deploymentId);
    const approval = deployment.approval;
    if (approval === null || approval.decision !== null || deployment.status !== "awaiting_approval")
      throw PlatformError.of(
        "failed_precondition",
        "deploymentId",
        approval?.decision != null
          ? `the approval was ${approval.decision} already`
          : approval === null && deployment.status === "awaiting_approval"
            ? `deployment ${deployment.id} is part of an upgrade batch, approved or rejected as a whole (upgrades approve|reject)`
            : `deployment ${deployment.id} is ${deployment.status}, not awaiting approval`,
      );
    checkDecider(caller, {
      tenantId: tenant.id,
      approverRole: approval.approverRole,
      startedBy: deployment.startedBy,
      decision: request.decision,
      field: "deploymentId",
      what: "deployment",
    });
    const comment = decisionComment(request.comment);
    await auditedChange(this.options.db, caller, tenant.id, `deployment.${request.decision}`, async (tx) => {
      const store = new DeploymentStore(tx);
      if (!(await store.decide(deployment.id, request.decision, caller.actor, comment)))
        throw PlatformError.of("failed_precondition", "deploymentId", "the approval was decided already");
      // Approved, it runs on (its up); rejected, its workflow ends it.
      if (request.decision === "approved") await store.setStatus(deployment.id, "running");
      await store.endStep(
        deployment.id,
        "approval",
        request.decision === "approved" ? "succeeded" : "failed",
        `${request.decision} by ${caller.actor}${comment === null ? "" : `: ${comment}`}`,
      );
      return {
        result: undefined,
        target: `stack:${deployment.stackId}`,
        after: { deployment: deployment.id, planHash: approval.planHash, comment },
      };
    });
    await this.workflows().signalDecision(deployment.id, { decision: request.decision });
    return (await new DeploymentStore(this.options.db).get(deployment.id)) as Deployment;
  }

  /** The tenant's deployments waiting for an approver. */
  async pendingApprovals(caller: Caller, tenantRef: string): Promise<Deployment[]> {
    const tenant = await this.tenantOf(caller, tenantRef, "pulumi:template:read");
    return new DeploymentStore(this.options.db).awaitingApproval(tenant.id);
  }

  /** A stack's history: its deployments, newest first, each with its steps, times and jobs. */
  async history(caller: Caller, request: StackRef & { limit?: number }): Promise<Deployment[]> {
    const tenant = await this.tenantOf(caller, request.tenant, "pulumi:template:read");
    // A destroyed stack's history stays readable by its name until another takes the name.
    const stack = await new TenantStackStore(this.options.db).lastByName(tenant.id, request.name);
    if (stack === undefined) throw PlatformError.of("not_found", "name", `no stack ${request.name}`);
    const limit = request.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw PlatformError.of("invalid_argument", "limit", "expected 1 to 500");
    return new DeploymentStore(this.options.db).ofStack(stack.id, limit);
  }

  async deployment(caller: Caller, request: { tenant: string; deploymentId: string }): Promise<Deployment> {
    const tenant = await this.tenantOf(caller, request.tenant, "pulumi:template:read");
    return this.deploymentOf(tenant.id, request.deploymentId);
  }

  /** Sets the deploy policy of a tenant (its Tenant Admins) or of a template (whoever manages it). */
  async setDeployPolicy(
    caller: Caller,
    request: { scope: string; ref: string; policy: unknown },
  ): Promise<DeployPolicy> {
    const scope = request.scope;
    if (!(DEPLOY_POLICY_SCOPES as readonly string[]).includes(scope))
      throw PlatformError.of("invalid_argument", "scope", "expected template or tenant");
    const { policy, problems } = parseDeployPolicy(request.policy);
    let scopeId: string;
    let tenantId: string | null;
    if (scope === "tenant") {
      const tenant = await this.tenantOf(caller, request.ref, "pulumi:template:manage");
      scopeId = tenant.id;
      tenantId = tenant.id;
    } else {
      const template = await this.options.catalogue.managed(caller, request.ref);
      scopeId = template.id;
      tenantId = template.ownerTenantId;
    }
    if (problems.length > 0 || policy === undefined) throw PlatformError.invalid(problems);
    await auditedChange(this.options.db, caller, tenantId, "deploy-policy.set", async (tx) => {
      await new DeploymentStore(tx).setPolicy(scope as DeployPolicyScope, scopeId, policy, caller.actor);
      return { result: undefined, target: `${scope}:${scopeId}`, after: { ...policy } };
    });
    return policy;
  }

  /** Who approves a tenant's deploys of a template: either one asking for approval gates them. */
  async effectivePolicy(templateId: string, tenantId: string): Promise<DeployPolicy> {
    const store = new DeploymentStore(this.options.db);
    const ofTemplate = await store.policy("template", templateId);
    const ofTenant = await store.policy("tenant", tenantId);
    const gating = [ofTemplate, ofTenant].filter((p): p is DeployPolicy => p?.requireApproval === true);
    return {
      requireApproval: gating.length > 0,
      approverRole: gating.reduce<Role>(
        (role, p) => (ROLES.indexOf(p.approverRole) > ROLES.indexOf(role) ? p.approverRole : role),
        gating[0]?.approverRole ?? DEFAULT_DEPLOY_POLICY.approverRole,
      ),
      approvalTimeoutMs: Math.min(
        ...gating.map((p) => p.approvalTimeoutMs),
        gating.length > 0 ? Number.POSITIVE_INFINITY : DEFAULT_DEPLOY_POLICY.approvalTimeoutMs,
      ),
      onFailure: ofTemplate?.onFailure ?? ofTenant?.onFailure ?? DEFAULT_DEPLOY_POLICY.onFailure,
    };
  }

  /**
   * Checks a stack's request again as its workflow starts: the version still there and not a
   * draft, the template still offered to the tenant, the parameters valid under today's constraint.
   */
  async revalidate(stack: TenantStack): Promise<void> {
    const template = await this.options.catalogue.visible(stack.templateId, stack.tenantId);
    const catalogue = new CatalogueStore(this.options.db);
    const version = await catalogue.version(template.id, stack.templateVersion);
    if (version === undefined || version.state === "draft")
      throw PlatformError.of(
        "failed_precondition",
        "version",
        `version ${stack.templateVersion} is not published`,
      );
    const { problems } = await this.parametersFor(stack, version);
    if (problems.length > 0) throw PlatformError.invalid(problems);
  }

  /** A stack's parameters (stored secrets too) checked against `version` under today's constraint: defaults filled in. */
  async parametersFor(
    stack: TenantStack,
    version: TemplateVersion,
  ): Promise<{ plain: Record<string, unknown>; problems: Problem[] }> {
    const catalogue = new CatalogueStore(this.options.db);
    const constraint =
      (await catalogue.constraint(stack.templateId, stack.tenantId))?.constraint ?? UNCONSTRAINED;
    return stackParametersUnder(
      version,
      constraint,
      stack.parameters,
      await this.storedSecretParameters(stack.id),
    );
  }

  async job(caller: Caller, request: { tenant: string; jobId: string }): Promise<Job> {
    const tenant = await this.tenantOf(caller, request.tenant, "pulumi:template:read");
    return this.jobOfTenant(tenant.id, request.jobId);
  }

  async *watchJob(
    caller: Caller,
    request: { tenant: string; jobId: string; afterSeq: number },
    signal?: AbortSignal,
  ): AsyncIterable<JobEvent> {
    const tenant = await this.tenantOf(caller, request.tenant, "pulumi:template:read");
    const job = await this.jobOfTenant(tenant.id, request.jobId);
    yield* this.options.jobs.watch(job.id, request.afterSeq, signal);
  }

  /** A job of one of the tenant's stacks; any other job is not_found. */
  private async jobOfTenant(tenantId: string, jobId: string): Promise<Job> {
    const job =
      typeof jobId === "string" && jobId !== "" ? await new JobStore(this.options.db).get(jobId) : undefined;
    const stack =
      job?.stack.startsWith(TENANT_STACK_KEY_PREFIX) === true
        ? await new TenantStackStore(this.options.db).get(job.stack.slice(TENANT_STACK_KEY_PREFIX.length))
        : undefined;
    if (job === undefined || stack?.tenantId !== tenantId)
      throw PlatformError.of("not_found", "jobId", `no job ${jobId}`);
    return job;
  }

  async get(caller: Caller, request: StackRef): Promise<TenantStack> {
    const tenant = await this.tenantOf(caller, request.tenant, "pulumi:template:read");
    return this.stackOf(tenant.id, request.name);
  }

  async list(
    caller: Caller,
    request: { tenant: string; includeDestroyed?: boolean; afterName?: string; limit?: number },
  ): Promise<TenantStack[]> {
    const tenant = await this.tenantOf(caller, request.tenant, "pulumi:template:read");
    const limit = request.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw PlatformError.of("invalid_argument", "limit", "expected 1 to 500");
    return new TenantStackStore(this.options.db).list({
      tenantId: tenant.id,
      limit,
      ...(request.includeDestroyed !== undefined && { includeDestroyed: request.includeDestroyed }),
      ...(request.afterName !== undefined && { afterName: request.afterName }),
    });
  }

  /** Sets one of the tenant's credentials (an environment variable its stacks' programs read). */
  async setCredential(
    caller: Caller,
    request: { tenant: string; name: string; value: string },
  ): Promise<void> {
    const tenant = await this.tenantOf(caller, request.tenant, "pulumi:template:manage");
    const problems: Problem[] = [];
    if (typeof request.name !== "string" || !/^[A-Z_][A-Z0-9_]{0,127}$/.test(request.name))
      problems.push({ at: "name", message: "expected an environment variable name: A-Z, 0-9 and _" });
    else if (
      /^(PULUMI_|STACKWRIGHT_)|^(PATH|HOME|TMPDIR|NODE_OPTIONS|PYTHONPATH|LD_PRELOAD)$/.test(request.name)
    )
      problems.push({ at: "name", message: "is a variable the service sets for the engine itself" });
    if (typeof request.value !== "string" || request.value === "")
      problems.push({ at: "value", message: "is required" });
    if (problems.length > 0) throw PlatformError.invalid(problems);
    const owner = tenantSecretOwner(tenant.id);
    await auditedChange(this.options.db, caller, tenant.id, "credential.set", async (tx) => {
      await new SealedSecretStore(tx).put(
        owner,
        request.name,
        this.options.envelope.seal(request.value, `${owner}/${request.name}`),
      );
      return { result: undefined, target: `tenant:${tenant.id}`, after: { name: request.name } };
    });
  }

  /** The names of the tenant's credentials, never their values. */
  async credentialNames(caller: Caller, tenantRef: string): Promise<string[]> {
    const tenant = await this.tenantOf(caller, tenantRef, "pulumi:template:read");
    return new SealedSecretStore(this.options.db).names(tenantSecretOwner(tenant.id));
  }

  /**
   * Starts again the workflow of every deployment not yet ended. A workflow already running is
   * left alone (its id is the deployment's); one that never started — the service stopped between
   * recording the deployment and starting it — starts now, so no stack stays deploying forever.
   */
  async reconcile(): Promise<void> {
    for (const deployment of await new DeploymentStore(this.options.db).open())
      if (deployment.input !== null) await this.workflows().start(deployment.input);
  }

  /** Records a deployment of `stack`, in the caller's transaction. */
  private async beginDeployment(
    tx: SqlTransaction,
    caller: Caller,
    stack: TenantStack,
    kind: DeploymentKind,
    version: number,
  ): Promise<string> {
    return new DeploymentStore(tx).create({
      tenantId: stack.tenantId,
      stackId: stack.id,
      kind,
      templateVersion: version,
      priorStackStatus: stack.status,
      startedBy: caller.actor,
    });
  }

  /** Starts the deployment's workflow; when it cannot start, the deployment ends failed and the stack is put back. */
  private async launch(
    stackId: string,
    deploymentId: string,
    decisions: Omit<DeploymentInput, "deploymentId">,
  ): Promise<StartedDeployment> {
    const input: DeploymentInput = { deploymentId, ...decisions };
    const store = new DeploymentStore(this.options.db);
    await store.setInput(deploymentId, input);
    try {
      await this.workflows().start(input);
    } catch (error) {
      await this.abandon(
        deploymentId,
        `the workflow could not start: ${error instanceof Error ? error.message : String(error)}`,
      );
      throw error;
    }
    return {
      stack: (await new TenantStackStore(this.options.db).get(stackId)) as TenantStack,
      deployment: (await store.get(deploymentId)) as Deployment,
    };
  }

  /** Ends a deployment that never got its workflow: failed, the stack back as it was. */
  private async abandon(deploymentId: string, error: string): Promise<void> {
    const store = new DeploymentStore(this.options.db);
    const deployment = await store.get(deploymentId);
    if (deployment === undefined) return;
    await auditedChange(
      this.options.db,
      SERVICE_CALLER,
      deployment.tenantId,
      "deployment.failed",
      async (tx) => {
        await new DeploymentStore(tx).setStatus(deploymentId, "failed", { error });
        if (deployment.kind !== "preview")
          await new TenantStackStore(tx).transition(
            deployment.stackId,
            ["deploying", "destroying"],
            deployment.priorStackStatus,
            { error },
          );
        return {
          result: undefined,
          target: `stack:${deployment.stackId}`,
          after: { deployment: deploymentId, error },
        };
      },
    );
  }

  private workflows(): DeploymentWorkflows {
    const workflows = this.options.workflows();
    if (workflows === undefined)
      throw PlatformError.of(
        "failed_precondition",
        "deployment",
        "the service's workflow engine is not running",
      );
    return workflows;
  }

  private async deploymentOf(tenantId: string, deploymentId: string): Promise<Deployment> {
    const deployment =
      typeof deploymentId === "string" && deploymentId !== ""
        ? await new DeploymentStore(this.options.db).get(deploymentId)
        : undefined;
    if (deployment === undefined || deployment.tenantId !== tenantId)
      throw PlatformError.of("not_found", "deploymentId", `no deployment ${deploymentId}`);
    return deployment;
  }

  private async storedSecretParameters(stackId: string): Promise<Map<string, string>> {
    const sealed = await new SealedSecretStore(this.options.db).all(stackSecretOwner(stackId));
    const values = new Map<string, string>();
    for (const [name, value] of sealed)
      if (name.startsWith(SECRET_PARAMETER_PREFIX))
        values.set(
          name.slice(SECRET_PARAMETER_PREFIX.length),
          this.options.envelope.open(value, `${stackSecretOwner(stackId)}/${name}`),
        );
    return values;
  }

  private async tenantOf(caller: Caller, ref: string, permission: Parameters<typeof requirePermission>[1]) {
    const tenant =
      typeof ref === "string" && ref !== "" ? await new TenancyStore(this.options.db).tenant(ref) : undefined;
    if (tenant === undefined) throw PlatformError.of("not_found", "tenant", `no tenant ${ref}`);
    requirePermission(caller, permission, tenant.id, { at: "tenant", name: "tenant" });
    return tenant;
  }

  private async stackOf(tenantId: string, name: string): Promise<TenantStack> {
    const stack =
      typeof name === "string"
        ? await new TenantStackStore(this.options.db).byName(tenantId, name)
        : undefined;
    if (stack === undefined) throw PlatformError.of("not_found", "name", `no stack ${name}`);
    return stack;
  }
}

/** A deploy policy from a request, every problem named. */
export function parseDeployPolicy(input: unknown): { policy?: DeployPolicy; problems: Problem[] } {
  const problems: Problem[] = [];
  if (input === null || typeof input !== "object" || Array.isArray(input))
    return { problems: [{ at: "policy", message: "expected an object" }] };
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw))
    if (!["requireApproval", "approverRole", "approvalTimeoutSeconds", "onFailure"].includes(key))
      problems.push({ at: `policy.${key}`, message: "is not a deploy policy field" });
  const requireApproval = raw.requireApproval ?? DEFAULT_DEPLOY_POLICY.requireApproval;
  if (typeof requireApproval !== "boolean")
    problems.push({ at: "policy.requireApproval", message: "expected true or false" });
  const approverRole = raw.approverRole ?? DEFAULT_DEPLOY_POLICY.approverRole;
  if (!isRole(approverRole) || approverRole === "read-only")
    problems.push({ at: "policy.approverRole", message: "expected user, tenant-admin or provider-admin" });
  const timeoutSeconds = raw.approvalTimeoutSeconds ?? DEFAULT_DEPLOY_POLICY.approvalTimeoutMs / 1000;
  if (
    typeof timeoutSeconds !== "number" ||
    !Number.isInteger(timeoutSeconds) ||
    timeoutSeconds < 1 ||
    timeoutSeconds > 90 * 24 * 3600
  )
    problems.push({
      at: "policy.approvalTimeoutSeconds",
      message: "expected whole seconds from 1 to 90 days",
    });
  const onFailure = raw.onFailure ?? DEFAULT_DEPLOY_POLICY.onFailure;
  if (!(FAILURE_POLICIES as readonly unknown[]).includes(onFailure))
    problems.push({ at: "policy.onFailure", message: "expected destroy or keep" });
  if (problems.length > 0) return { problems };
  return {
    policy: {
      requireApproval: requireApproval as boolean,
      approverRole: approverRole as Role,
      approvalTimeoutMs: (timeoutSeconds as number) * 1000,
      onFailure: onFailure as FailurePolicy,
    },
    problems,
  };
}

/** A stack as the audit log keeps it: no secrets (those never reach the stack record). */
function auditView(stack: TenantStack): Record<string, unknown> {
  return {
    name: stack.name,
    status: stack.status,
    templateId: stack.templateId,
    version: stack.templateVersion,
    parameters: stack.parameters,
  };
}
