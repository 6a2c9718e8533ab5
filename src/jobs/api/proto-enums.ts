import type { DescEnum } from "@bufbuild/protobuf";
import { ROLES, type Role } from "../../catalog/permissions";
import {
  APPROVAL_DECISIONS,
  type ApprovalDecision,
  type Compensation,
  DEPLOY_POLICY_SCOPES,
  DEPLOYMENT_KINDS,
  DEPLOYMENT_STATUSES,
  type DeploymentKind,
  type DeploymentStatus,
  type DeployPolicyScope,
  FAILURE_POLICIES,
  type FailurePolicy,
  STEP_NAMES,
  STEP_STATUSES,
  type StepName,
  type StepStatus,
} from "../domain/deployment";
import { JOB_STATUSES, type JobStatus, OPERATIONS, type Operation } from "../domain/job";
import {
  POLICY_ENFORCEMENTS,
  POLICY_PACK_LANGUAGES,
  type PolicyEnforcement,
  type PolicyPackLanguage,
} from "../domain/policy-pack";
import { JobStatus as ProtoJobStatus, Operation as ProtoOperation } from "./gen/stackwright/jobs/v1/jobs_pb";
import {
  ApprovalDecision as ProtoApprovalDecision,
  CompensationOutcome as ProtoCompensationOutcome,
  DeploymentKind as ProtoDeploymentKind,
  DeploymentStatus as ProtoDeploymentStatus,
  DeploymentStepName as ProtoDeploymentStepName,
  DeploymentStepStatus as ProtoDeploymentStepStatus,
  DeployPolicyScope as ProtoDeployPolicyScope,
  FailurePolicy as ProtoFailurePolicy,
  Role as ProtoRole,
} from "./gen/stackwright/platform/v1/platform_pb";
import {
  PolicyEnforcement as ProtoPolicyEnforcement,
  PolicyPackLanguage as ProtoPolicyPackLanguage,
} from "./gen/stackwright/platform/v1/policy_packs_pb";

/**
 * The one place where the service's vocabulary (strings, as the store and the engine know them)
 * meets the API's enums. Each table is total over the domain's union, so a value added to
 * OPERATIONS or JOB_STATUSES does not compile until it has an enum value; the reverse lookups are
 * derived from the same tables.
 */

const PROTO_OPERATIONS: Readonly<Record<Operation, ProtoOperation>> = {
  preview: ProtoOperation.PREVIEW,
  up: ProtoOperation.UP,
  refresh: ProtoOperation.REFRESH,
  destroy: ProtoOperation.DESTROY,
};

const PROTO_JOB_STATUSES: Readonly<Record<JobStatus, ProtoJobStatus>> = {
  queued: ProtoJobStatus.QUEUED,
  running: ProtoJobStatus.RUNNING,
  succeeded: ProtoJobStatus.SUCCEEDED,
  failed: ProtoJobStatus.FAILED,
  canceled: ProtoJobStatus.CANCELED,
  timed_out: ProtoJobStatus.TIMED_OUT,
};

const OPERATIONS_BY_PROTO = new Map(OPERATIONS.map((op) => [PROTO_OPERATIONS[op], op]));
const JOB_STATUSES_BY_PROTO = new Map(JOB_STATUSES.map((status) => [PROTO_JOB_STATUSES[status], status]));

export function toProtoOperation(operation: Operation): ProtoOperation {
  return PROTO_OPERATIONS[operation];
}

export function toProtoJobStatus(status: JobStatus): ProtoJobStatus {
  return PROTO_JOB_STATUSES[status];
}

/**
 * Undefined for UNSPECIFIED and for a number this version does not know: proto3 enums are open,
 * so a newer peer's value arrives as a bare number.
 */
export function fromProtoOperation(operation: ProtoOperation): Operation | undefined {
  return OPERATIONS_BY_PROTO.get(operation);
}

export function fromProtoJobStatus(status: ProtoJobStatus): JobStatus | undefined {
  return JOB_STATUSES_BY_PROTO.get(status);
}

/**
 * A total table of the service's words to an enum's values, both ways. Undefined from the proto
 * side for UNSPECIFIED and for a number this version does not know: proto3 enums are open, so a
 * newer peer's value arrives as a bare number.
 */
export class EnumTable<W extends string, P extends number> {
  private readonly byProto: ReadonlyMap<P, W>;

  constructor(
    private readonly words: readonly W[],
    private readonly table: Readonly<Record<W, P>>,
  ) {
    this.byProto = new Map(words.map((word) => [table[word], word]));
  }

  toProto(word: W): P {
    return this.table[word];
  }

  fromProto(value: P): W | undefined {
    return this.byProto.get(value);
  }

  /** The service's words, in the domain's order. */
  get all(): readonly W[] {
    return this.words;
  }
}

// The deployment's vocabulary: one table each, total over the domain's words (DEPLOYMENT_STATUSES
// and the rest), so the API, its streams and the CLI say the same thing.

export const DEPLOYMENT_KIND_ENUM = new EnumTable<DeploymentKind, ProtoDeploymentKind>(DEPLOYMENT_KINDS, {
  deploy: ProtoDeploymentKind.DEPLOY,
  preview: ProtoDeploymentKind.PREVIEW,
  destroy: ProtoDeploymentKind.DESTROY,
});

export const DEPLOYMENT_STATUS_ENUM = new EnumTable<DeploymentStatus, ProtoDeploymentStatus>(
  DEPLOYMENT_STATUSES,
  {
    running: ProtoDeploymentStatus.RUNNING,
    awaiting_approval: ProtoDeploymentStatus.AWAITING_APPROVAL,
    succeeded: ProtoDeploymentStatus.SUCCEEDED,
    failed: ProtoDeploymentStatus.FAILED,
    rejected: ProtoDeploymentStatus.REJECTED,
    expired: ProtoDeploymentStatus.EXPIRED,
  },
);

export const STEP_NAME_ENUM = new EnumTable<StepName, ProtoDeploymentStepName>(STEP_NAMES, {
  validate: ProtoDeploymentStepName.VALIDATE,
  preview: ProtoDeploymentStepName.PREVIEW,
  approval: ProtoDeploymentStepName.APPROVAL,
  up: ProtoDeploymentStepName.UP,
  "compensate-refresh": ProtoDeploymentStepName.COMPENSATE_REFRESH,
  "compensate-destroy": ProtoDeploymentStepName.COMPENSATE_DESTROY,
  destroy: ProtoDeploymentStepName.DESTROY,
  record: ProtoDeploymentStepName.RECORD,
});

export const STEP_STATUS_ENUM = new EnumTable<StepStatus, ProtoDeploymentStepStatus>(STEP_STATUSES, {
  running: ProtoDeploymentStepStatus.RUNNING,
  succeeded: ProtoDeploymentStepStatus.SUCCEEDED,
  failed: ProtoDeploymentStepStatus.FAILED,
});

export const APPROVAL_DECISION_ENUM = new EnumTable<ApprovalDecision, ProtoApprovalDecision>(
  APPROVAL_DECISIONS,
  {
    approved: ProtoApprovalDecision.APPROVED,
    rejected: ProtoApprovalDecision.REJECTED,
    expired: ProtoApprovalDecision.EXPIRED,
  },
);

export const FAILURE_POLICY_ENUM = new EnumTable<FailurePolicy, ProtoFailurePolicy>(FAILURE_POLICIES, {
  destroy: ProtoFailurePolicy.DESTROY,
  keep: ProtoFailurePolicy.KEEP,
});

export type CompensationOutcome = Compensation["outcome"];
export const COMPENSATION_OUTCOMES: readonly CompensationOutcome[] = ["succeeded", "failed", "kept"];
export const COMPENSATION_OUTCOME_ENUM = new EnumTable<CompensationOutcome, ProtoCompensationOutcome>(
  COMPENSATION_OUTCOMES,
  {
    succeeded: ProtoCompensationOutcome.SUCCEEDED,
    failed: ProtoCompensationOutcome.FAILED,
    kept: ProtoCompensationOutcome.KEPT,
  },
);

export const DEPLOY_POLICY_SCOPE_ENUM = new EnumTable<DeployPolicyScope, ProtoDeployPolicyScope>(
  DEPLOY_POLICY_SCOPES,
  {
    template: ProtoDeployPolicyScope.TEMPLATE,
    tenant: ProtoDeployPolicyScope.TENANT,
  },
);

/** Every role, Provider Admin included: an approver's role may be any (a membership's never is Provider Admin). */
export const ROLE_ENUM = new EnumTable<Role, ProtoRole>(ROLES, {
  "read-only": ProtoRole.READ_ONLY,
  user: ProtoRole.USER,
  "tenant-admin": ProtoRole.TENANT_ADMIN,
  "provider-admin": ProtoRole.PROVIDER_ADMIN,
});

export const POLICY_PACK_LANGUAGE_ENUM = new EnumTable<PolicyPackLanguage, ProtoPolicyPackLanguage>(
  POLICY_PACK_LANGUAGES,
  { javascript: ProtoPolicyPackLanguage.JAVASCRIPT, typescript: ProtoPolicyPackLanguage.TYPESCRIPT },
);

export const POLICY_ENFORCEMENT_ENUM = new EnumTable<PolicyEnforcement, ProtoPolicyEnforcement>(
  POLICY_ENFORCEMENTS,
  { advisory: ProtoPolicyEnforcement.ADVISORY, mandatory: ProtoPolicyEnforcement.MANDATORY },
);

/** What a request may say for an enum field, by the names JSON clients write. */
export function expectedEnumValues(schema: DescEnum): string {
  const names = schema.values.filter((value) => value.number !== 0).map((value) => value.name);
  return `expected one of ${names.join(", ")}`;
}
