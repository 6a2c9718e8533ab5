import type { ParameterSchema } from "../../catalog/parameter-schema";
import type { Caller } from "./caller";
import type { ConstraintRecord, Template, TemplateVersion } from "./catalogue";
import type { Deployment, DeployPolicy } from "./deployment";
import type { Job, JobEvent } from "./job";
import type { PolicyAttachment, PolicyPack } from "./policy-pack";
import type { ApiTokenInfo, AuditEntry, Membership, Tenant, User } from "./tenancy";
import type { TenantStack } from "./tenant-stack";
import type { UpgradesContract } from "./upgrade";

/**
 * What the platform offers beside the job service — the catalogue, tenants' stacks, governance —
 * independent of transport: the API layer uses only these, and the service layer implements
 * them. Every method takes the Caller its token made and checks their permission in the tenant;
 * refusals are PlatformErrors naming each offending field.
 */

/** Turns a presented bearer token into a Caller, or refuses it (unauthenticated). */
export type Authenticate = (token: string | undefined) => Promise<Caller>;

export interface NewTemplateRequest {
  readonly name: string;
  readonly displayName?: string;
  readonly description?: string;
  readonly language: string;
  /** The tenant that owns the template; none for the provider's own, offered to every tenant. */
  readonly ownerTenant?: string;
  readonly system?: boolean;
  /** The program, its dependencies and parameters; or, instead, `component`. */
  readonly source?: unknown;
  /**
   * Make the template from a component: its parameters are the component's inputs, its program
   * the translation core's Pulumi YAML for it (language yaml).
   */
  readonly component?: { readonly schema: string; readonly token?: string };
}

/** A template as one tenant sees it: the parameters it may give, under its constraint. */
export interface TenantTemplateView {
  readonly template: Template;
  readonly versions: readonly TemplateVersion[];
  /** The version a deploy uses unless told otherwise: the newest published one. */
  readonly latestPublished: number | null;
  readonly effectiveParameters: ParameterSchema | null;
  readonly maxInstances: number | null;
}

export interface TemplateCatalogContract {
  createTemplate(caller: Caller, request: NewTemplateRequest): Promise<TenantTemplateView>;
  saveDraft(caller: Caller, template: string, source: unknown): Promise<TemplateVersion>;
  /** The template's draft; when it has none, a new one copied from its newest version. */
  startDraft(caller: Caller, template: string): Promise<TemplateVersion>;
  publish(caller: Caller, template: string): Promise<TemplateVersion>;
  deprecate(caller: Caller, template: string, version: number): Promise<void>;
  deleteTemplate(caller: Caller, template: string): Promise<void>;
  get(caller: Caller, template: string, tenant: string): Promise<TenantTemplateView>;
  list(caller: Caller, tenant: string, page: { afterName?: string; limit?: number }): Promise<Template[]>;
}

export interface DeployStackRequest {
  readonly tenant: string;
  readonly name: string;
  readonly template: string;
  /** A published version; default the newest. */
  readonly version?: number;
  /** Plain parameters; the template's defaults fill in the rest. */
  readonly parameters?: unknown;
  /** Values of the template's secret (writeOnly) parameters; kept sealed, never shown again. */
  readonly secretParameters?: Readonly<Record<string, string>>;
}

export interface StackRef {
  readonly tenant: string;
  readonly name: string;
}

export interface PreviewStackRequest extends StackRef {
  /**
   * Another version of the stack's template to preview the stack with (a draft only for whoever
   * manages the template); the stack's own when not given (or 0). The stack keeps its version.
   */
  readonly version?: number;
}

/** A stack's operation started: the stack as it now is and the deployment (workflow) running it. */
export interface StartedDeployment {
  readonly stack: TenantStack;
  readonly deployment: Deployment;
}

export interface TenantStacksContract {
  /** Validates at once, then deploys through the deploy workflow (preview → approval → up → record). */
  deploy(caller: Caller, request: DeployStackRequest): Promise<StartedDeployment>;
  /** Previews the stack as it stands, or with another version of its template: what deploying it would change. */
  preview(caller: Caller, request: PreviewStackRequest): Promise<StartedDeployment>;
  destroy(caller: Caller, request: StackRef): Promise<StartedDeployment>;
  /** An approver's decision on a pending approval: needs the approver role, never the deployment's starter. */
  decide(
    caller: Caller,
    request: { tenant: string; deploymentId: string; decision: "approved" | "rejected"; comment?: string },
  ): Promise<Deployment>;
  pendingApprovals(caller: Caller, tenant: string): Promise<Deployment[]>;
  /** A stack's deployments, newest first, each with its steps, their times and jobs. */
  history(caller: Caller, request: StackRef & { limit?: number }): Promise<Deployment[]>;
  deployment(caller: Caller, request: { tenant: string; deploymentId: string }): Promise<Deployment>;
  /** The approval gate and failure policy of a tenant's deploys (`scope` tenant) or a template's (`scope` template). */
  setDeployPolicy(
    caller: Caller,
    request: { scope: string; ref: string; policy: unknown },
  ): Promise<DeployPolicy>;
  get(caller: Caller, request: StackRef): Promise<TenantStack>;
  list(
    caller: Caller,
    request: { tenant: string; includeDestroyed?: boolean; afterName?: string; limit?: number },
  ): Promise<TenantStack[]>;
  setCredential(caller: Caller, request: { tenant: string; name: string; value: string }): Promise<void>;
  credentialNames(caller: Caller, tenant: string): Promise<string[]>;
  /** A job of one of the tenant's stacks. */
  job(caller: Caller, request: { tenant: string; jobId: string }): Promise<Job>;
  /** Its events, live, as the job service's watch gives them. */
  watchJob(
    caller: Caller,
    request: { tenant: string; jobId: string; afterSeq: number },
    signal?: AbortSignal,
  ): AsyncIterable<JobEvent>;
}

export interface GovernanceContract {
  createTenant(caller: Caller, request: { name: string; displayName?: string }): Promise<Tenant>;
  listTenants(caller: Caller): Promise<Tenant[]>;
  createUser(caller: Caller, request: { name: string; providerAdmin?: boolean }): Promise<User>;
  listUsers(caller: Caller): Promise<User[]>;
  setMembership(caller: Caller, request: { tenant: string; user: string; role: string }): Promise<Membership>;
  removeMembership(caller: Caller, request: { tenant: string; user: string }): Promise<void>;
  memberships(caller: Caller, tenant: string): Promise<Membership[]>;
  issueToken(
    caller: Caller,
    request: { user?: string; name: string; expiresInDays?: number },
  ): Promise<{ token: string; info: ApiTokenInfo }>;
  listTokens(caller: Caller, user?: string): Promise<ApiTokenInfo[]>;
  revokeToken(caller: Caller, tokenId: string): Promise<void>;
  setConstraint(
    caller: Caller,
    request: { template: string; tenant: string; constraint: unknown },
  ): Promise<ConstraintRecord>;
  removeConstraint(caller: Caller, request: { template: string; tenant: string }): Promise<void>;
  constraints(caller: Caller, tenant: string): Promise<ConstraintRecord[]>;
  audit(
    caller: Caller,
    query: { tenant?: string; from?: number; to?: number; afterSeq?: number; limit?: number },
  ): Promise<AuditEntry[]>;
}

export interface PlatformContracts {
  readonly authenticate: Authenticate;
  readonly catalogue: TemplateCatalogContract;
  readonly stacks: TenantStacksContract;
  readonly governance: GovernanceContract;
  readonly upgrades: UpgradesContract;
  readonly policies: PolicyPackContract;
}

export interface PublishPolicyPackRequest {
  readonly name: string;
  readonly language: string;
  readonly files: unknown;
  readonly dependencies?: unknown;
}

/** A pack attached to a template (by name) or to a tenant (by name): exactly one of the two. */
export interface PolicyAttachmentTarget {
  readonly pack: string;
  readonly template?: string;
  readonly tenant?: string;
}

export interface AttachPolicyPackRequest extends PolicyAttachmentTarget {
  /** The pack's latest version when not given. */
  readonly version?: number;
  /** Every policy run at this level; the pack's own levels when not given. */
  readonly enforcement?: string;
}

/** Policy packs: the platform's governance, so a Provider Admin's to publish and attach. */
export interface PolicyPackContract {
  publish(caller: Caller, request: PublishPolicyPackRequest): Promise<PolicyPack>;
  list(caller: Caller): Promise<PolicyPack[]>;
  attach(caller: Caller, request: AttachPolicyPackRequest): Promise<PolicyAttachment>;
  detach(caller: Caller, request: PolicyAttachmentTarget): Promise<void>;
  attachments(caller: Caller, filter: { template?: string; tenant?: string }): Promise<PolicyAttachment[]>;
}
