import { randomBytes } from "node:crypto";
import { UNCONSTRAINED } from "../../catalog/constraints";
import { effectiveParameterSchema } from "../../catalog/effective-schema";
import { nameProblem } from "../../catalog/names";
import type { ParameterSchema } from "../../catalog/parameter-schema";
import { type ParameterValidator, parameterValidatorFor } from "../../catalog/parameter-validator";
import type { Problem } from "../../core/errors";
import { type Caller, SERVICE_CALLER } from "../domain/caller";
import type { Job, JobEvent, Operation } from "../domain/job";
import type { JobRunners } from "../domain/job-runners";
import type { JobService } from "../domain/job-service";
import type { DeployStackRequest, StackRef, TenantStacksContract } from "../domain/platform-contracts";
import { PlatformError } from "../domain/platform-error";
import type { TenantStack, TenantStackStatus } from "../domain/tenant-stack";
import type { Envelope } from "../secrets/envelope";
import { recordAudit } from "../store/audit-log";
import { CatalogueStore } from "../store/catalogue-store";
import type { LocalJobNotifier } from "../store/job-notifier";
import { isTerminal, JobStore } from "../store/job-store";
import { SealedSecretStore } from "../store/sealed-secret-store";
import { isUniqueViolation, type SqlDatabase } from "../store/sql-database";
import { TenancyStore } from "../store/tenancy-store";
import { TenantStackStore } from "../store/tenant-stack-store";
import { auditedChange } from "./audited-change";
import { requirePermission } from "./caller";
import type { CatalogueService } from "./catalogue-service";

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
  readonly notifier: LocalJobNotifier;
  /** Where a new stack's state goes: a backend URL of its own. */
  readonly stateLocation: (tenantId: string, stackId: string) => string;
  readonly timeoutMs: number;
  /** The job service, whose get and watch a tenant's members use for their stacks' jobs. */
  readonly jobs: JobService;
  /** The runners to wake when a job is queued, once they run. */
  readonly runners: () => JobRunners | undefined;
}

/**
 * A tenant stack's life, in one place: validate the request against the tenant's effective
 * parameters and limits → queue the engine operation as a job of the job service → record the
 * job's outcome on the stack. (The next step makes this a durable workflow; it is kept in this
 * one module so that it can be replaced whole.)
 */
export class TenantStackOrchestrator implements TenantStacksContract {
  private readonly watching = new Set<string>();
  private closed = false;

  constructor(private readonly options: OrchestratorOptions) {}

  async deploy(caller: Caller, request: DeployStackRequest): Promise<{ stack: TenantStack; job: Job }> {
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
    const validate = parameterValidatorFor(`${version.contentHash}\u0000${JSON.stringify(constraint)}`, () =>
      effectiveParameterSchema(version.parameters, constraint),
    );
    const stored =
      existing === undefined ? new Map<string, string>() : await this.storedSecretParameters(existing.id);
    const checked = checkParameters(
      version.parameters,
      validate,
      request.parameters ?? {},
      request.secretParameters ?? {},
      stored,
    );
    problems.push(...checked.problems);
    if (problems.length > 0) throw PlatformError.invalid(problems);

    const stack = await db.transaction(async (tx) => {
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
      if (
        !(await stacks.transition(target.id, ["pending", "deployed", "failed"], "deploying", {
          deployedBy: caller.actor,
          error: null,
          // The job comes next: until it is queued, no earlier job's outcome can be taken for it.
          lastJobId: null,
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
        },
      });
      return (await stacks.get(target.id)) as TenantStack;
    });
    const job = await this.queue(stack, "up", version.templateId, version.version);
    return { stack: (await new TenantStackStore(db).get(stack.id)) as TenantStack, job };
  }

  /** A preview of the stack as it stands: what an update would change. */
  async preview(caller: Caller, request: StackRef): Promise<{ stack: TenantStack; job: Job }> {
    const tenant = await this.tenantOf(caller, request.tenant, "pulumi:stack:deploy");
    const stack = await this.stackOf(tenant.id, request.name);
    return { stack, job: await this.queue(stack, "preview", stack.templateId, stack.templateVersion) };
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

  async destroy(
    caller: Caller,
    request: { tenant: string; name: string },
  ): Promise<{ stack: TenantStack; job: Job }> {
    const tenant = await this.tenantOf(caller, request.tenant, "pulumi:stack:destroy");
    const stack = await this.stackOf(tenant.id, request.name);
    await auditedChange(this.options.db, caller, tenant.id, "stack.destroy", async (tx) => {
      if (
        !(await new TenantStackStore(tx).transition(
          stack.id,
          ["pending", "deployed", "failed"],
          "destroying",
          { lastJobId: null },
        ))
      )
        throw PlatformError.of(
          "failed_precondition",
          "name",
          `stack ${request.name} is ${stack.status}; wait for it to finish`,
        );
      return { result: undefined, target: `stack:${stack.id}`, before: auditView(stack) };
    });
    const job = await this.queue(stack, "destroy", stack.templateId, stack.templateVersion);
    return { stack: (await new TenantStackStore(this.options.db).get(stack.id)) as TenantStack, job };
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
   * Records every finished job of a stack still deploying or destroying, and watches the rest. A
   * stack whose job was never queued (the service stopped in between) ends failed, so that none
   * stays deploying forever.
   */
  async reconcile(): Promise<void> {
    const rows = await this.options.db.query(
      "SELECT id, last_job_id, status FROM tenant_stacks WHERE status IN ('deploying', 'destroying')",
    );
    for (const row of rows) {
      if (row.last_job_id !== null) {
        this.watch(String(row.last_job_id));
        continue;
      }
      await this.interrupted(String(row.id), String(row.status) as TenantStackStatus);
    }
  }

  /** Ends a stack whose operation never got its job: failed, with why, and an audit entry. */
  private async interrupted(stackId: string, status: TenantStackStatus): Promise<void> {
    const stack = await new TenantStackStore(this.options.db).get(stackId);
    if (stack === undefined) return;
    const error = `the ${status === "destroying" ? "destroy" : "deploy"} was interrupted before its job was queued; run it again`;
    await auditedChange(this.options.db, SERVICE_CALLER, stack.tenantId, "stack.failed", async (tx) => {
      await new TenantStackStore(tx).transition(stackId, [status], "failed", { error });
      return {
        result: undefined,
        target: `stack:${stackId}`,
        before: { status },
        after: { status: "failed", error },
      };
    });
  }

  close(): void {
    this.closed = true;
  }

  private async queue(
    stack: TenantStack,
    operation: Operation,
    templateId: string,
    version: number,
  ): Promise<Job> {
    const jobs = new JobStore(this.options.db);
    let job: Job;
    try {
      job = await jobs.create({
        stack: tenantStackKey(stack.id),
        workload: `template:${templateId}@${version}`,
        operation,
        timeoutMs: this.options.timeoutMs,
      });
    } catch (error) {
      if (operation !== "preview")
        await this.interrupted(stack.id, operation === "destroy" ? "destroying" : "deploying").catch(
          () => undefined,
        );
      throw error;
    }
    if (operation !== "preview")
      await this.options.db.run("UPDATE tenant_stacks SET last_job_id = ? WHERE id = ?", [job.id, stack.id]);
    this.options.runners()?.wake();
    if (operation !== "preview") this.watch(job.id);
    return job;
  }

  /** Waits for the job to end, then records its outcome on its stack. */
  private watch(jobId: string): void {
    if (this.watching.has(jobId)) return;
    this.watching.add(jobId);
    void (async () => {
      const subscription = this.options.notifier.subscribe(jobId);
      try {
        const jobs = new JobStore(this.options.db);
        for (;;) {
          if (this.closed) return;
          const job = await jobs.get(jobId);
          if (job === undefined) return;
          if (isTerminal(job)) {
            await this.record(job);
            return;
          }
          await subscription.wait(1000);
        }
      } catch {
        // The database went away (the service is stopping); reconcile() picks the job up again.
      } finally {
        subscription.close();
        this.watching.delete(jobId);
      }
    })();
  }

  /** The record step: the job's outcome becomes the stack's status, outputs and error. */
  private async record(job: Job): Promise<void> {
    const stackId = job.stack.slice(TENANT_STACK_KEY_PREFIX.length);
    const store = new TenantStackStore(this.options.db);
    const stack = await store.get(stackId);
    if (stack === undefined || stack.lastJobId !== job.id) return;
    const succeeded = job.status === "succeeded";
    let to: TenantStackStatus;
    if (job.operation === "destroy") to = succeeded ? "destroyed" : "failed";
    else to = succeeded ? "deployed" : "failed";
    const from: TenantStackStatus = job.operation === "destroy" ? "destroying" : "deploying";
    await this.options.db.transaction(async (tx) => {
      const changed = await new TenantStackStore(tx).transition(stackId, [from], to, {
        error: succeeded ? null : (job.error ?? job.status),
        ...(job.operation !== "destroy" && succeeded && { outputs: job.outputs ?? {} }),
        ...(job.operation === "destroy" && succeeded && { outputs: null }),
      });
      if (!changed) return;
      await recordAudit(tx, {
        actor: "service",
        tenantId: stack.tenantId,
        action: `stack.${to}`,
        target: `stack:${stackId}`,
        before: { status: from },
        after: { status: to, job: job.id, ...(succeeded ? {} : { error: job.error }) },
      });
    });
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

/**
 * Validates plain and secret parameters together with the tenant's effective schema's validator
 * (`schema` says which parameters are secret: writeOnly, in the template and so in any narrowing): a secret
 * parameter comes only in `secretParameters` (or was stored before), a plain one only in
 * `parameters`. Returns the plain ones with defaults filled in.
 */
export function checkParameters(
  schema: ParameterSchema,
  validate: ParameterValidator,
  plainInput: unknown,
  secretInput: Readonly<Record<string, string>>,
  stored: ReadonlyMap<string, string>,
): { plain: Record<string, unknown>; problems: Problem[] } {
  const problems: Problem[] = [];
  if (plainInput === null || typeof plainInput !== "object" || Array.isArray(plainInput))
    return { plain: {}, problems: [{ at: "parameters", message: "expected an object of parameters" }] };
  const secretNames = new Set(
    Object.entries(schema.properties)
      .filter(([, p]) => p.writeOnly === true)
      .map(([name]) => name),
  );
  const plain = plainInput as Record<string, unknown>;
  for (const name of Object.keys(plain))
    if (secretNames.has(name))
      problems.push({
        at: `parameters.${name}`,
        message: "is a secret parameter: send it in secretParameters",
      });
  for (const [name, value] of Object.entries(secretInput)) {
    if (!secretNames.has(name))
      problems.push({
        at: `secretParameters.${name}`,
        message: "is not a secret parameter of this template",
      });
    else if (typeof value !== "string")
      problems.push({ at: `secretParameters.${name}`, message: "expected text" });
  }
  const combined: Record<string, unknown> = { ...plain };
  for (const name of secretNames) {
    const value = secretInput[name] ?? stored.get(name);
    if (value !== undefined) combined[name] = value;
  }
  const { values, problems: invalid } = validate(combined);
  for (const problem of invalid) {
    const name = problem.at.split(/[.[]/)[1] ?? "";
    problems.push(
      secretNames.has(name)
        ? { ...problem, at: problem.at.replace(/^parameters/, "secretParameters") }
        : problem,
    );
  }
  for (const name of secretNames) delete values[name];
  return { plain: values, problems };
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
