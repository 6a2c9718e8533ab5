import { ApplicationFailure, Context } from "@temporalio/activity";
import type {
  ApprovalDecision,
  DeploymentActivities,
  FinishRequest,
  RunStepRequest,
  StepOutcome,
} from "../domain/deployment";
import type { Job, JobPlan } from "../domain/job";
import type { JobRunners } from "../domain/job-runners";
import { findingOf, POLICY_FINDING_EVENT, type PolicyFinding } from "../domain/policy-pack";
import { type TenantStack, type TenantStackStatus, templateWorkload } from "../domain/tenant-stack";
import { recordAudit } from "../store/audit-log";
import { CatalogueStore } from "../store/catalogue-store";
import { DeploymentStore } from "../store/deployment-store";
import type { LocalJobNotifier } from "../store/job-notifier";
import { JobStore } from "../store/job-store";
import type { SqlDatabase } from "../store/sql-database";
import { TenantStackStore } from "../store/tenant-stack-store";
import { awaitJobEnd } from "./job-wait";
import { planHash } from "./plan-binding";

export interface DeploymentActivityOptions {
  readonly db: SqlDatabase;
  readonly notifier: LocalJobNotifier;
  /** The runners to wake when a job is queued, once they run. */
  readonly runners: () => JobRunners | undefined;
  /** The job-store key of a tenant stack's jobs. */
  readonly stackKey: (stackId: string) => string;
  readonly timeoutMs: number;
  /** Checks a stack's request again (published version, tenant allowed, parameters); throws what is wrong. */
  readonly revalidate: (stack: TenantStack) => Promise<void>;
}

/** Where a deployment's stack is while its workflow runs it. */
const IN_FLIGHT: readonly TenantStackStatus[] = ["deploying", "destroying"];

/**
 * The activities of the deployment workflows: every side effect they have, against the service's
 * database and the job service. Each is safe to run again after a worker died half way: a step
 * that already queued its job awaits that job, a recorded approval or finish is not recorded twice.
 */
export function deploymentActivities(options: DeploymentActivityOptions): DeploymentActivities {
  const { db } = options;
  const deployments = new DeploymentStore(db);
  const jobs = new JobStore(db);
  const stacks = new TenantStackStore(db);

  const deploymentOf = async (id: string) => {
    const deployment = await deployments.get(id);
    if (deployment === undefined) throw ApplicationFailure.nonRetryable(`no deployment ${id}`);
    const stack = await stacks.get(deployment.stackId);
    if (stack === undefined) throw ApplicationFailure.nonRetryable(`deployment ${id} has no stack`);
    return { deployment, stack };
  };

  /** The hash the saved plan of `previewStep`'s job binds to, with the stack as it is now. */
  const boundHash = async (stack: TenantStack, previewJobId: string) => {
    const plan = await jobs.savedPlan(previewJobId);
    const version = await new CatalogueStore(db).version(stack.templateId, stack.templateVersion);
    if (plan == null || version?.contentHash == null) return undefined;
    return planHash({ contentHash: version.contentHash, parameters: stack.parameters, plan });
  };

  const outcomeOf = async (request: RunStepRequest, job: Job, stack: TenantStack): Promise<StepOutcome> => {
    const succeeded = job.status === "succeeded";
    const error = succeeded ? null : (job.error ?? job.status);
    const step = await deployments.step(request.deploymentId, request.step);
    if (step?.status === "running")
      await deployments.endStep(
        request.deploymentId,
        request.step,
        succeeded ? "succeeded" : "failed",
        error,
      );
    if (request.operation === "preview") {
      await deployments.setChanges(request.deploymentId, job.changes);
      await deployments.setPolicyFindings(request.deploymentId, await policyFindingsOf(job.id));
    }
    if (succeeded && request.plan !== undefined && "save" in request.plan) {
      const hash = await boundHash(stack, job.id);
      if (hash === undefined) return { jobId: job.id, succeeded: false, error: "the preview saved no plan" };
      return { jobId: job.id, succeeded, error, planHash: hash };
    }
    return { jobId: job.id, succeeded, error };
  };

  const policyFindingsOf = async (jobId: string): Promise<PolicyFinding[]> => {
    const findings: PolicyFinding[] = [];
    for (let after = 0; ; ) {
      const page = await jobs.events(jobId, after);
      if (page.length === 0) return findings;
      for (const event of page) {
        const finding = event.kind === POLICY_FINDING_EVENT ? findingOf(event.data) : undefined;
        if (finding !== undefined) findings.push(finding);
      }
      after = (page.at(-1) as { seq: number }).seq;
    }
  };

  return {
    async validateDeployment(deploymentId) {
      const { stack } = await deploymentOf(deploymentId);
      try {
        await options.revalidate(stack);
      } catch (error) {
        throw ApplicationFailure.nonRetryable(error instanceof Error ? error.message : String(error));
      }
    },

    async runStep(request) {
      const context = Context.current();
      const { deploymentId } = request;
      const { deployment, stack } = await deploymentOf(deploymentId);
      let step = await deployments.step(deploymentId, request.step);
      if (step?.jobId == null) {
        // Read before the transaction: inside it, only `tx` may be used.
        let plan: JobPlan | undefined;
        if (request.plan !== undefined && "save" in request.plan) plan = { save: true };
        if (request.plan !== undefined && "apply" in request.plan) {
          const previewJob = await previewJobOf(request.plan.apply.previewStep);
          const refusal = await refusedPlan(request.plan.apply.planHash, stack, previewJob);
          if (refusal !== undefined) {
            await deployments.startStep(deploymentId, request.step, null);
            await deployments.endStep(deploymentId, request.step, "failed", refusal);
            return { jobId: null, succeeded: false, error: refusal };
          }
          plan = { apply: (await jobs.savedPlan(previewJob)) ?? "" };
        }
        const chosen = plan;
        await db.transaction(async (tx) => {
          await tx.serialize(`deployment:${deploymentId}`);
          const txDeployments = new DeploymentStore(tx);
          if ((await txDeployments.step(deploymentId, request.step))?.jobId != null) return;
          const job = await new JobStore(tx).create({
            stack: options.stackKey(stack.id),
            workload: templateWorkload(stack.templateId, deployment.templateVersion),
            operation: request.operation,
            timeoutMs: options.timeoutMs,
            ...(chosen !== undefined && { plan: chosen }),
          });
          await txDeployments.startStep(deploymentId, request.step, job.id);
          if (request.operation !== "preview")
            await tx.run("UPDATE tenant_stacks SET last_job_id = ? WHERE id = ?", [job.id, stack.id]);
        });
        options.runners()?.wake();
        step = await deployments.step(deploymentId, request.step);
      }
      const jobId = step?.jobId;
      if (jobId == null) throw new Error(`step ${request.step} of ${deploymentId} has no job`);
      const job = await awaitJobEnd(
        jobs,
        options.notifier,
        jobId,
        () => context.heartbeat(),
        context.cancellationSignal,
      );
      return outcomeOf(request, job, stack);

      async function previewJobOf(previewStep: string): Promise<string> {
        const preview = await deployments.step(deploymentId, previewStep as RunStepRequest["step"]);
        if (preview?.jobId == null) throw ApplicationFailure.nonRetryable(`step ${previewStep} ran no job`);
        return preview.jobId;
      }

      /** Why the approved plan may not be applied: the version, the parameters or the plan differ from what was approved. */
      async function refusedPlan(
        previewHash: string,
        current: TenantStack,
        previewJob: string,
      ): Promise<string | undefined> {
        const approved = (await deployments.approval(deploymentId))?.planHash ?? previewHash;
        if ((await boundHash(current, previewJob)) === approved) return undefined;
        return "the plan changed since it was approved (the template version, the parameters or the saved plan differ): nothing was applied; deploy again to preview and approve anew";
      }
    },

    async requestApproval(request) {
      const { deployment, stack } = await deploymentOf(request.deploymentId);
      await db.transaction(async (tx) => {
        const store = new DeploymentStore(tx);
        await store.requestApproval(request.deploymentId, deployment.tenantId, {
          planHash: request.planHash,
          approverRole: request.approverRole,
          requestedBy: deployment.startedBy,
          expiresAt: Date.now() + request.timeoutMs,
        });
        if ((await store.step(request.deploymentId, "approval")) === undefined)
          await store.startStep(request.deploymentId, "approval", null);
        if (await store.setStatus(request.deploymentId, "awaiting_approval"))
          await recordAudit(tx, {
            actor: "service",
            tenantId: deployment.tenantId,
            action: "deployment.approval.requested",
            target: `stack:${stack.id}`,
            before: null,
            after: {
              deployment: deployment.id,
              planHash: request.planHash,
              approverRole: request.approverRole,
            },
          });
      });
    },

    async expireApproval(deploymentId): Promise<ApprovalDecision> {
      const { deployment } = await deploymentOf(deploymentId);
      return db.transaction(async (tx) => {
        const store = new DeploymentStore(tx);
        if (await store.decide(deploymentId, "expired", null, null)) {
          await store.endStep(deploymentId, "approval", "failed", "expired: no decision in time");
          await recordAudit(tx, {
            actor: "service",
            tenantId: deployment.tenantId,
            action: "deployment.approval.expired",
            target: `stack:${deployment.stackId}`,
            before: null,
            after: { deployment: deploymentId },
          });
          return "expired";
        }
        return (await store.approval(deploymentId))?.decision ?? "expired";
      });
    },

    async markStep(request) {
      if (request.status === "running") await deployments.startStep(request.deploymentId, request.step, null);
      else
        await deployments.endStep(request.deploymentId, request.step, request.status, request.detail ?? null);
    },

    async finish(request: FinishRequest) {
      const { deployment, stack } = await deploymentOf(request.deploymentId);
      const outputsJob =
        request.outputsFrom === undefined
          ? undefined
          : (await deployments.step(request.deploymentId, request.outputsFrom))?.jobId;
      const outputs = outputsJob == null ? undefined : (await jobs.get(outputsJob))?.outputs;
      await db.transaction(async (tx) => {
        const store = new DeploymentStore(tx);
        if (
          !(await store.setStatus(request.deploymentId, request.status, {
            ...(request.error !== undefined && { error: request.error }),
            ...(request.compensation !== undefined && { compensation: request.compensation }),
          }))
        )
          return;
        let stackAfter: TenantStackStatus | undefined;
        if (deployment.kind !== "preview") {
          stackAfter = request.stackStatus ?? deployment.priorStackStatus;
          const destroyed = stackAfter === "destroyed";
          await new TenantStackStore(tx).transition(stack.id, IN_FLIGHT, stackAfter, {
            error: request.stackStatus === "failed" ? (request.error ?? "failed") : null,
            ...(outputs !== undefined && { outputs: outputs ?? {} }),
            ...(destroyed && { outputs: null }),
          });
        }
        await recordAudit(tx, {
          actor: "service",
          tenantId: deployment.tenantId,
          action: `deployment.${request.status}`,
          target: `stack:${stack.id}`,
          before: { status: deployment.status },
          after: {
            deployment: deployment.id,
            kind: deployment.kind,
            status: request.status,
            ...(stackAfter !== undefined && { stack: stackAfter }),
            ...(request.error !== undefined && { error: request.error }),
            ...(request.compensation !== undefined && { compensation: request.compensation }),
          },
        });
      });
    },
  };
}
