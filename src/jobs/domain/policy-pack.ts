/**
 * Policy packs (Pulumi CrossGuard): checks a Provider Admin attaches to a template or a tenant,
 * run by the engine in every preview and up of the stacks they cover. A mandatory violation fails
 * the operation; an advisory one is reported with it.
 */

export const POLICY_PACK_LANGUAGES = ["javascript", "typescript"] as const;
export type PolicyPackLanguage = (typeof POLICY_PACK_LANGUAGES)[number];

export const POLICY_ENFORCEMENTS = ["advisory", "mandatory"] as const;
export type PolicyEnforcement = (typeof POLICY_ENFORCEMENTS)[number];

export const POLICY_SCOPES = ["template", "tenant"] as const;
export type PolicyScope = (typeof POLICY_SCOPES)[number];

/** What a pack is made of. `index.js` (or `index.ts`) builds its `PolicyPack`. */
export interface PolicyPackSource {
  readonly language: PolicyPackLanguage;
  readonly files: Readonly<Record<string, string>>;
  /** npm packages besides @pulumi/policy and @pulumi/pulumi, which the service pins. */
  readonly dependencies: Readonly<Record<string, string>>;
}

/** One published version of a pack: never changed after. */
export interface PolicyPack extends PolicyPackSource {
  readonly name: string;
  readonly version: number;
  readonly contentHash: string;
  readonly createdAt: number;
  readonly createdBy: string;
}

export interface PolicyAttachment {
  readonly packName: string;
  readonly packVersion: number;
  readonly scope: PolicyScope;
  /** The template's or the tenant's id. */
  readonly scopeId: string;
  /** Every policy of the pack run at this level; null: each at the level the pack gives it. */
  readonly enforcement: PolicyEnforcement | null;
  readonly createdAt: number;
  readonly createdBy: string;
}

/** A pack version as a job runs it, with the level its attachment asks for. */
export interface AppliedPolicyPack {
  readonly pack: PolicyPack;
  readonly enforcement: PolicyEnforcement | null;
}

/** One violation the engine reported. */
export interface PolicyFinding {
  readonly pack: string;
  readonly packVersion: string;
  readonly policy: string;
  readonly enforcement: string;
  /** The resource's URN; empty for a stack-wide policy. */
  readonly resource: string;
  readonly message: string;
}

/** The job event kind a finding is recorded under (run/event-summary.ts). */
export const POLICY_FINDING_EVENT = "policyEvent";

export function isPolicyPackLanguage(value: unknown): value is PolicyPackLanguage {
  return typeof value === "string" && (POLICY_PACK_LANGUAGES as readonly string[]).includes(value);
}

export function isPolicyEnforcement(value: unknown): value is PolicyEnforcement {
  return typeof value === "string" && (POLICY_ENFORCEMENTS as readonly string[]).includes(value);
}

/** A finding out of a recorded job event's data, or undefined when the data is not one. */
export function findingOf(data: Record<string, unknown>): PolicyFinding | undefined {
  const text = (key: string) => (typeof data[key] === "string" ? (data[key] as string) : undefined);
  const pack = text("pack");
  const policy = text("policy");
  const enforcement = text("enforcement");
  if (pack === undefined || policy === undefined || enforcement === undefined) return undefined;
  return {
    pack,
    packVersion: text("packVersion") ?? "",
    policy,
    enforcement,
    resource: text("resource") ?? "",
    message: text("message") ?? "",
  };
}

/** A finding's resource as people read it, `Type name` out of its URN; `the stack` for none. */
export function findingResourceLabel(resource: string): string {
  return resource === "" ? "the stack" : resource.split("::").slice(-2).join(" ");
}
