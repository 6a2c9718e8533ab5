import { create } from "@bufbuild/protobuf";
import { type Timestamp, timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import type { Role as DomainRole } from "../../catalog/permissions";
import type {
  ConstraintRecord,
  Template,
  TemplateLanguage,
  TemplateVersion,
  VersionState,
} from "../domain/catalogue";
import type { TenantTemplateView } from "../domain/platform-contracts";
import type { ApiTokenInfo, AuditEntry, Membership, Tenant, User } from "../domain/tenancy";
import type { TenantStack, TenantStackStatus } from "../domain/tenant-stack";
import {
  type ApiToken as ApiTokenMessage,
  ApiTokenSchema,
  type AuditEntry as AuditEntryMessage,
  AuditEntrySchema,
  type Constraint as ConstraintMessage,
  ConstraintSchema,
  Language,
  type Membership as MembershipMessage,
  MembershipSchema,
  Role,
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
/** Tenant roles only: Provider Admin is a user's flag, never a membership. */
const ROLES: Readonly<Record<Exclude<DomainRole, "provider-admin">, Role>> = {
  "read-only": Role.READ_ONLY,
  user: Role.USER,
  "tenant-admin": Role.TENANT_ADMIN,
};

function reverse<K extends string, V>(table: Readonly<Record<K, V>>): (value: V) => K | undefined {
  const map = new Map<V, K>(Object.entries(table).map(([k, v]) => [v as V, k as K]));
  return (value) => map.get(value);
}

/** The service's language for an API language, or undefined for LANGUAGE_UNSPECIFIED and unknown numbers. */
export const languageOf = reverse(LANGUAGES);
export const roleOf = reverse(ROLES);

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
    role: membership.role === "provider-admin" ? Role.UNSPECIFIED : ROLES[membership.role],
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
