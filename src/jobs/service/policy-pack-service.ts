import { createHash } from "node:crypto";
import { canonicalJson } from "../../catalog/canonical-json";
import { dependencyProblems } from "../../catalog/dependencies";
import { nameProblem } from "../../catalog/names";
import type { Problem } from "../../core/errors";
import type { Caller } from "../domain/caller";
import type {
  AttachPolicyPackRequest,
  PolicyAttachmentTarget,
  PolicyPackContract,
  PublishPolicyPackRequest,
} from "../domain/platform-contracts";
import { PlatformError } from "../domain/platform-error";
import {
  isPolicyEnforcement,
  isPolicyPackLanguage,
  POLICY_ENFORCEMENTS,
  POLICY_PACK_LANGUAGES,
  type PolicyAttachment,
  type PolicyPack,
  type PolicyScope,
} from "../domain/policy-pack";
import { CatalogueStore } from "../store/catalogue-store";
import { PolicyPackStore } from "../store/policy-pack-store";
import type { SqlDatabase, SqlExecutor } from "../store/sql-database";
import { TenancyStore } from "../store/tenancy-store";
import { checkPackCode } from "../workspace/policy-packs/pack-code";
import { POLICY_SDK_DEPENDENCIES } from "../workspace/policy-packs/policy-pack-workspaces";
import { auditedChange } from "./audited-change";
import { requireProviderAdmin } from "./caller";

/**
 * Publishing policy packs and attaching them to templates and tenants. Policies are the
 * platform's rules over every tenant's stacks, so each call is a Provider Admin's; tenants see
 * what the policies found on their own deployments.
 */
export class PolicyPackService implements PolicyPackContract {
  constructor(private readonly db: SqlDatabase) {}

  async publish(caller: Caller, request: PublishPolicyPackRequest): Promise<PolicyPack> {
    requireProviderAdmin(caller, "policyPack");
    const problems: Problem[] = [];
    const named = nameProblem(request.name, "name");
    if (named !== undefined) problems.push(named);
    if (!isPolicyPackLanguage(request.language)) {
      problems.push({ at: "language", message: `expected one of ${POLICY_PACK_LANGUAGES.join(", ")}` });
      throw PlatformError.invalid(problems);
    }
    const dependencies = request.dependencies ?? {};
    // Checked by the npm rules templates follow; the SDK the service pins may not be replaced.
    problems.push(...dependencyProblems("typescript", dependencies));
    if (dependencies !== null && typeof dependencies === "object")
      for (const pinned of Object.keys(POLICY_SDK_DEPENDENCIES))
        if (Object.hasOwn(dependencies, pinned))
          problems.push({
            at: `dependencies.${pinned}`,
            message: `is pinned by the service (${POLICY_SDK_DEPENDENCIES[pinned]}); leave it out`,
          });
    problems.push(...checkPackCode(request.language, request.files).problems);
    if (problems.length > 0) throw PlatformError.invalid(problems);
    const source = {
      language: request.language,
      files: request.files as Record<string, string>,
      dependencies: dependencies as Record<string, string>,
    };
    const contentHash = `sha256:${createHash("sha256").update(canonicalJson(source)).digest("hex")}`;
    return auditedChange(this.db, caller, null, "policy-pack.publish", async (tx) => {
      await tx.serialize(`policy-pack:${request.name}`);
      const pack = await new PolicyPackStore(tx).publish(
        request.name,
        { ...source, contentHash },
        caller.principal.userId,
      );
      return {
        result: pack,
        target: `policy-pack:${pack.name}`,
        after: { name: pack.name, version: pack.version, contentHash },
      };
    });
  }

  async list(caller: Caller): Promise<PolicyPack[]> {
    requireProviderAdmin(caller, "policyPack");
    return new PolicyPackStore(this.db).latestPacks();
  }

  async attach(caller: Caller, request: AttachPolicyPackRequest): Promise<PolicyAttachment> {
    requireProviderAdmin(caller, "policyPack");
    const problems: Problem[] = [];
    if (request.enforcement !== undefined && !isPolicyEnforcement(request.enforcement))
      problems.push({ at: "enforcement", message: `expected one of ${POLICY_ENFORCEMENTS.join(", ")}` });
    if (request.version !== undefined && (!Number.isInteger(request.version) || request.version < 1))
      problems.push({ at: "version", message: "expected a version number, 1 or more" });
    if (problems.length > 0) throw PlatformError.invalid(problems);
    const { scope, scopeId, tenantId } = await this.scopeOf(this.db, request);
    const pack = await new PolicyPackStore(this.db).pack(request.pack, request.version);
    if (pack === undefined)
      throw PlatformError.of(
        "not_found",
        request.version === undefined ? "pack" : "version",
        `no policy pack ${request.pack}${request.version === undefined ? "" : ` version ${request.version}`}`,
      );
    const enforcement = isPolicyEnforcement(request.enforcement) ? request.enforcement : null;
    return auditedChange(this.db, caller, tenantId, "policy-pack.attach", async (tx) => {
      const store = new PolicyPackStore(tx);
      const before = await store.attachment(scope, scopeId, pack.name);
      const attachment = await store.attach({
        packName: pack.name,
        packVersion: pack.version,
        scope,
        scopeId,
        enforcement,
        createdBy: caller.principal.userId,
      });
      return {
        result: attachment,
        target: `${scope}:${scopeId}`,
        before: before === undefined ? null : { ...before },
        after: { ...attachment },
      };
    });
  }

  async detach(caller: Caller, request: PolicyAttachmentTarget): Promise<void> {
    requireProviderAdmin(caller, "policyPack");
    const { scope, scopeId, tenantId } = await this.scopeOf(this.db, request);
    await auditedChange(this.db, caller, tenantId, "policy-pack.detach", async (tx) => {
      const store = new PolicyPackStore(tx);
      const before = await store.attachment(scope, scopeId, request.pack);
      if (before === undefined || !(await store.detach(scope, scopeId, request.pack)))
        throw PlatformError.of("not_found", "pack", `policy pack ${request.pack} is not attached there`);
      return { result: undefined, target: `${scope}:${scopeId}`, before: { ...before }, after: null };
    });
  }

  async attachments(
    caller: Caller,
    filter: { template?: string; tenant?: string },
  ): Promise<PolicyAttachment[]> {
    requireProviderAdmin(caller, "policyPack");
    if (filter.template === undefined && filter.tenant === undefined)
      return new PolicyPackStore(this.db).attachments();
    const { scope, scopeId } = await this.scopeOf(this.db, { pack: "", ...filter });
    return new PolicyPackStore(this.db).attachments({ scope, scopeId });
  }

  /** The template or tenant a request names: exactly one of them, existing. */
  private async scopeOf(
    db: SqlExecutor,
    target: PolicyAttachmentTarget,
  ): Promise<{ scope: PolicyScope; scopeId: string; tenantId: string | null }> {
    const template = target.template === "" ? undefined : target.template;
    const tenant = target.tenant === "" ? undefined : target.tenant;
    if ((template === undefined) === (tenant === undefined))
      throw PlatformError.of("invalid_argument", "template", "name either a template or a tenant, not both");
    if (template !== undefined) {
      const found = await new CatalogueStore(db).template(template);
      if (found === undefined) throw PlatformError.of("not_found", "template", `no template ${template}`);
      return { scope: "template", scopeId: found.id, tenantId: found.ownerTenantId };
    }
    const found = await new TenancyStore(db).tenant(tenant as string);
    if (found === undefined) throw PlatformError.of("not_found", "tenant", `no tenant ${tenant}`);
    return { scope: "tenant", scopeId: found.id, tenantId: found.id };
  }
}
