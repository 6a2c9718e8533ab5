import { create } from "@bufbuild/protobuf";
import { type Timestamp, timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import type {
  ConstraintRecord,
  Template,
  TemplateLanguage,
  TemplateVersion,
  VersionState,
} from "../domain/catalogue";
import type { Approval, Deployment, DeployPolicy } from "../domain/deployment";
import type { TenantTemplateView } from "../domain/platform-contracts";
import type { ApiTokenInfo, AuditEntry, Membership, Tenant, User } from "../domain/tenancy";
import type { TenantStack, TenantStackStatus } from "../domain/tenant-stack";
import {
  type ApiToken as ApiTokenMessage,
  ApiTokenSchema,
  ApprovalDecision,
  type Approval as ApprovalMessage,
  ApprovalSchema,
  type AuditEntry as AuditEntryMessage,
  AuditEntrySchema,
  type Constraint as ConstraintMessage,
  ConstraintSchema,
  type Deployment as DeploymentMessage,
  DeploymentSchema,
  type DeployPolicy as DeployPolicyMessage,
  DeployPolicySchema,
  Language,
  type Membership as MembershipMessage,
  MembershipSchema,
  StackStatus,
  type Template as TemplateMessage,
  TemplateSchema,
  type TemplateVersion as TemplateVersionMessage,
  TemplateVersionSchema,
  type TemplateView as TemplateViewMessage,
  TemplateViewSchema,
  type Tenant as TenantMessage,
  TenantSchema,
  type TenantStack as TenantStackMessage,
  TenantStackSchema,
  type User as UserMessage,
  UserSchema,
  VersionState as VersionStateMessage,
} from "./gen/stackwright/platform/v1/platform_pb";
import {
  APPROVAL_DECISION_ENUM,
  COMPENSATION_OUTCOME_ENUM,
  DEPLOYMENT_KIND_ENUM,
  DEPLOYMENT_STATUS_ENUM,
  FAILURE_POLICY_ENUM,
  ROLE_ENUM,
  STEP_NAME_ENUM,
  STEP_STATUS_ENUM,
} from "./proto-enums";
import { toJsonObject } from "./to-message";

/**
 * The platform's records as the API shows them, and the API's enums as the service's words:
 * one table per enum, total over the service's values, so the compiler keeps them in step.
 */
const LANGUAGES: Readonly<Record<TemplateLanguage, Language>> = {
  typescript: Language.TYPESCRIPT,
  python: Language.PYTHON,
  yaml: Language.YAML,
};
const VERSION_STATES: Readonly<Record<VersionState, VersionStateMessage>> = {
  draft: VersionStateMessage.DRAFT,
  published: VersionStateMessage.PUBLISHED,
  deprecated: VersionStateMessage.DEPRECATED,
};
const STACK_STATUSES: Readonly<Record<TenantStackStatus, StackStatus>> = {
  pending: StackStatus.PENDING,
  deploying: StackStatus.DEPLOYING,
  deployed: StackStatus.DEPLOYED,
  failed: StackStatus.FAILED,
  destroying: StackStatus.DESTROYING,
  destroyed: StackStatus.DESTROYED,
};

function reverse<K extends string, V>(table: Readonly<Record<K, V>>): (value: V) => K | undefined {
  const map = new Map<V, K>(Object.entries(table).map(([k, v]) => [v as V, k as K]));
  return (value) => map.get(value);
}

/** The service's language for an API language, or undefined for LANGUAGE_UNSPECIFIED and unknown numbers. */
export const languageOf = reverse(LANGUAGES);
/** A membership's role: a tenant role, never Provider Admin (a user's flag). */
export function roleOf(role: number) {
  const found = ROLE_ENUM.fromProto(role);
  return found === "provider-admin" ? undefined : found;
}

const time = (ms: number | null): Timestamp | undefined => (ms === null ? undefined : timestampFromMs(ms));
export const msOf = (timestamp: Timestamp | undefined): number | undefined =>
  timestamp === undefined ? undefined : timestampMs(timestamp);

export function toTemplate(template: Template): TemplateMessage {
  return create(TemplateSchema, {
    id: template.id,
    name: template.name,
    ownerTenantId: template.ownerTenantId ?? "",
    displayName: template.displayName,
    description: template.description,
    language: LANGUAGES[template.language],
    system: template.system,
    createdAt: timestampFromMs(template.createdAt),
    createdBy: template.createdBy,
    latestPublished: template.latestPublished ?? 0,
  });
}

export function toTemplateVersion(version: TemplateVersion): TemplateVersionMessage {
  return create(TemplateVersionSchema, {
    templateId: version.templateId,
    version: version.version,
    state: VERSION_STATES[version.state],
    source: {
      files: { ...version.files },
      dependencies: { ...version.dependencies },
      parameters: toJsonObject(version.parameters as unknown as Record<string, unknown>),
    },
    contentHash: version.contentHash ?? "",
    createdAt: timestampFromMs(version.createdAt),
    createdBy: version.createdBy,
    publishedAt: time(version.publishedAt),
    publishedBy: version.publishedBy ?? "",
  });
}

export function toTemplateView(view: TenantTemplateView): TemplateViewMessage {
  return create(TemplateViewSchema, {
    template: toTemplate(view.template),
    versions: view.versions.map(toTemplateVersion),
    latestPublished: view.latestPublished ?? 0,
    effectiveParameters:
      view.effectiveParameters === null
        ? undefined
        : toJsonObject(view.effectiveParameters as unknown as Record<string, unknown>),
    maxInstances: view.maxInstances ?? 0,
  });
}

export function toTenantStack(stack: TenantStack): TenantStackMessage {
  return create(TenantStackSchema, {
    id: stack.id,
    tenantId: stack.tenantId,
    name: stack.name,
    templateId: stack.templateId,
    templateVersion: stack.templateVersion,
    parameters: toJsonObject(stack.parameters),
    status: STACK_STATUSES[stack.status],
    outputs: stack.outputs === null ? undefined : toJsonObject(stack.outputs),
    stateLocation: stack.stateLocation,
    error: stack.error ?? "",
    lastJobId: stack.lastJobId ?? "",
    createdAt: timestampFromMs(stack.createdAt),
    createdBy: stack.createdBy,
    deployedAt: time(stack.deployedAt),
    deployedBy: stack.deployedBy ?? "",
  });
}

export function toTenant(tenant: Tenant): TenantMessage {
  return create(TenantSchema, { ...tenant, createdAt: timestampFromMs(tenant.createdAt) });
}

export function toUser(user: User): UserMessage {
  return create(UserSchema, { ...user, createdAt: timestampFromMs(user.createdAt) });
}

export function toMembership(membership: Membership): MembershipMessage {
  return create(MembershipSchema, {
    tenantId: membership.tenantId,
    userId: membership.userId,
    role: ROLE_ENUM.toProto(membership.role),
    createdAt: timestampFromMs(membership.createdAt),
  });
}

export function toApiToken(token: ApiTokenInfo): ApiTokenMessage {
  return create(ApiTokenSchema, {
    id: token.id,
    userId: token.userId,
    name: token.name,
    createdAt: timestampFromMs(token.createdAt),
    expiresAt: time(token.expiresAt),
    revokedAt: time(token.revokedAt),
  });
}

export function toConstraint(record: ConstraintRecord): ConstraintMessage {
  return create(ConstraintSchema, {
    templateId: record.templateId,
    tenantId: record.tenantId,
    constraint: toJsonObject(record.constraint as unknown as Record<string, unknown>),
    updatedAt: timestampFromMs(record.updatedAt),
    updatedBy: record.updatedBy,
  });
}

export function toAuditEntry(entry: AuditEntry): AuditEntryMessage {
  return create(AuditEntrySchema, {
    seq: BigInt(entry.seq),
    id: entry.id,
    at: timestampFromMs(entry.at),
    actor: entry.actor,
    tenantId: entry.tenantId ?? "",
    action: entry.action,
    target: entry.target,
    before: entry.before === null ? undefined : toJsonObject(entry.before),
    after: entry.after === null ? undefined : toJsonObject(entry.after),
  });
}

/** An approval, a deployment's or an upgrade batch's. */
export function toApproval(approval: Approval): ApprovalMessage {
  return create(ApprovalSchema, {
    planHash: approval.planHash,
    approverRole: ROLE_ENUM.toProto(approval.approverRole),
    requestedBy: approval.requestedBy,
    requestedAt: timestampFromMs(approval.requestedAt),
    expiresAt: timestampFromMs(approval.expiresAt),
    decision:
      approval.decision === null
        ? ApprovalDecision.UNSPECIFIED
        : APPROVAL_DECISION_ENUM.toProto(approval.decision),
    decidedBy: approval.decidedBy ?? "",
    decidedAt: time(approval.decidedAt),
    comment: approval.comment ?? "",
  });
}

export function toDeployment(deployment: Deployment): DeploymentMessage {
  const { approval, compensation } = deployment;
  return create(DeploymentSchema, {
    id: deployment.id,
    tenantId: deployment.tenantId,
    stackId: deployment.stackId,
    stackName: deployment.stackName,
    kind: DEPLOYMENT_KIND_ENUM.toProto(deployment.kind),
    status: DEPLOYMENT_STATUS_ENUM.toProto(deployment.status),
    templateVersion: deployment.templateVersion,
    startedBy: deployment.startedBy,
    createdAt: timestampFromMs(deployment.createdAt),
    finishedAt: time(deployment.finishedAt),
    error: deployment.error ?? "",
    changes: Object.fromEntries(
      Object.entries(deployment.changes ?? {}).map(([kind, n]) => [kind, BigInt(n)]),
    ),
    steps: deployment.steps.map((step) => ({
      name: STEP_NAME_ENUM.toProto(step.name),
      status: STEP_STATUS_ENUM.toProto(step.status),
      startedAt: timestampFromMs(step.startedAt),
      finishedAt: time(step.finishedAt),
      jobId: step.jobId ?? "",
      detail: step.detail ?? "",
    })),
    approval: approval === null ? undefined : toApproval(approval),
    compensation:
      compensation === null
        ? undefined
        : {
            policy: FAILURE_POLICY_ENUM.toProto(compensation.policy),
            outcome: COMPENSATION_OUTCOME_ENUM.toProto(compensation.outcome),
          },
    policyFindings: (deployment.policyFindings ?? []).map((finding) => ({
      policyPack: finding.pack,
      policyPackVersion: finding.packVersion,
      policy: finding.policy,
      enforcement: finding.enforcement,
      resource: finding.resource,
      message: finding.message,
    })),
  });
}

export function toDeployPolicy(policy: DeployPolicy): DeployPolicyMessage {
  return create(DeployPolicySchema, {
    requireApproval: policy.requireApproval,
    approverRole: ROLE_ENUM.toProto(policy.approverRole),
    approvalTimeoutSeconds: Math.round(policy.approvalTimeoutMs / 1000),
    onFailure: FAILURE_POLICY_ENUM.toProto(policy.onFailure),
  });
}
