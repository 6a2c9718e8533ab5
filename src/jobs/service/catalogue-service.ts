import { UNCONSTRAINED } from "../../catalog/constraints";
import { templateContentHash } from "../../catalog/content-hash";
import { dependencyProblems } from "../../catalog/dependencies";
import { effectiveParameterSchema } from "../../catalog/effective-schema";
import { nameProblem } from "../../catalog/names";
import { type ParameterSchema, readParameterSchema } from "../../catalog/parameter-schema";
import { compileParameterValidator } from "../../catalog/parameter-validator";
import { componentTemplate } from "../../core/component-template";
import { type Problem, StackwrightInputError } from "../../core/errors";
import { prepareComponent } from "../../core/manifests";
import { parsePackageSchema } from "../../core/package-schema";
import { toYaml } from "../../core/yaml";
import type { Caller } from "../domain/caller";
import {
  isTemplateLanguage,
  type Template,
  type TemplateLanguage,
  type TemplateSource,
  type TemplateVersion,
} from "../domain/catalogue";
import type {
  NewTemplateRequest,
  TemplateCatalogContract,
  TenantTemplateView,
} from "../domain/platform-contracts";
import { PlatformError } from "../domain/platform-error";
import { CatalogueStore } from "../store/catalogue-store";
import { isUniqueViolation, type SqlDatabase, type SqlTransaction } from "../store/sql-database";
import { TenancyStore } from "../store/tenancy-store";
import { auditedChange, type ChangeOutcome } from "./audited-change";
import { requirePermission, requireProviderAdmin } from "./caller";

/** Checks a template's program without running it (see workspace/template-code-check). */
export type CodeCheck = (input: {
  readonly language: TemplateLanguage;
  readonly files: Readonly<Record<string, string>>;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly parameters: ParameterSchema;
}) => Promise<Problem[]>;

const PAGE_SIZE_LIMIT = 500;

/**
 * The catalogue: templates and their versions. A draft is checked on every save and edited
 * freely; publishing checks it again and freezes it under its content hash; a new draft starts
 * from the newest version. Each change is written with its audit entry in one transaction.
 */
export class CatalogueService implements TemplateCatalogContract {
  constructor(
    private readonly db: SqlDatabase,
    private readonly checkCode: CodeCheck,
  ) {}

  async createTemplate(caller: Caller, request: NewTemplateRequest): Promise<TenantTemplateView> {
    const owner = await this.ownerFor(caller, request.ownerTenant);
    if (request.system === true) requireProviderAdmin(caller, "system");
    const problems: Problem[] = [];
    const nameIssue = nameProblem(request.name, "name");
    if (nameIssue) problems.push(nameIssue);
    if (!isTemplateLanguage(request.language))
      problems.push({ at: "language", message: "expected one of typescript, python, yaml" });
    for (const [field, value] of [
      ["displayName", request.displayName],
      ["description", request.description],
    ] as const)
      if (value !== undefined && (typeof value !== "string" || value.length > 2000))
        problems.push({ at: field, message: "expected text of at most 2000 characters" });
    if (request.component !== undefined && request.source !== undefined)
      problems.push({ at: "component", message: "give either source or component, not both" });
    if (request.component !== undefined && request.language !== "yaml")
      problems.push({ at: "language", message: "a template made from a component is a YAML program" });
    if (problems.length > 0) throw PlatformError.invalid(problems);
    const language = request.language as TemplateLanguage;
    const source = await this.checkedSource(
      language,
      request.component === undefined ? request.source : fromComponent(request.component, request.name),
    );
    const template = await this.change(caller, owner, "template.create", async (tx) => {
      const store = new CatalogueStore(tx);
      let created: Template;
      try {
        created = await store.createTemplate({
          name: request.name,
          ownerTenantId: owner,
          displayName: request.displayName || request.name,
          description: request.description ?? "",
          language,
          system: request.system === true,
          createdBy: caller.actor,
        });
      } catch (error) {
        if (isUniqueViolation(error))
          throw PlatformError.of("already_exists", "name", `template ${request.name} exists`);
        throw error;
      }
      await store.saveDraft(created.id, source, caller.actor);
      return { result: created, target: `template:${created.id}`, after: { ...created } };
    });
    return this.viewFor(template, owner);
  }

  /** Writes the template's draft (a new version after the newest, when it has none). */
  async saveDraft(caller: Caller, templateRef: string, sourceInput: unknown): Promise<TemplateVersion> {
    const template = await this.managed(caller, templateRef);
    const source = await this.checkedSource(template.language, sourceInput);
    return this.change(caller, template.ownerTenantId, "template.draft.save", async (tx) => {
      const store = new CatalogueStore(tx);
      const before = await store.latestVersion(template.id, "draft");
      const draft = await store.saveDraft(template.id, source, caller.actor);
      return {
        result: draft,
        target: `template:${template.id}`,
        before: before ? summary(before) : null,
        after: summary(draft),
      };
    });
  }

  /** Starts a draft from the newest version, unchanged, when there is none. */
  async startDraft(caller: Caller, templateRef: string): Promise<TemplateVersion> {
    const template = await this.managed(caller, templateRef);
    const store = new CatalogueStore(this.db);
    const draft = await store.latestVersion(template.id, "draft");
    if (draft !== undefined) return draft;
    const latest = await store.latestVersion(template.id);
    if (latest === undefined)
      throw PlatformError.of("failed_precondition", "template", "the template has no version");
    return this.saveDraft(caller, template.id, {
      files: latest.files,
      dependencies: latest.dependencies,
      parameters: latest.parameters,
    });
  }

  /** Checks the draft once more and freezes it; returns the published version. */
  async publish(caller: Caller, templateRef: string): Promise<TemplateVersion> {
    const template = await this.managed(caller, templateRef);
    const store = new CatalogueStore(this.db);
    const draft = await store.latestVersion(template.id, "draft");
    if (draft === undefined)
      throw PlatformError.of("failed_precondition", "template", "the template has no draft to publish");
    const source = await this.checkedSource(template.language, draft);
    const hash = templateContentHash({ language: template.language, ...source });
    return this.change(caller, template.ownerTenantId, "template.publish", async (tx) => {
      const versions = new CatalogueStore(tx);
      if (!(await versions.publishDraft(template.id, hash, caller.actor)))
        throw PlatformError.of("failed_precondition", "template", "the draft was published meanwhile");
      const published = (await versions.version(template.id, draft.version)) as TemplateVersion;
      return { result: published, target: `template:${template.id}`, after: summary(published) };
    });
  }

  async deprecate(caller: Caller, templateRef: string, version: number): Promise<void> {
    const template = await this.managed(caller, templateRef);
    await this.change(caller, template.ownerTenantId, "template.deprecate", async (tx) => {
      if (!(await new CatalogueStore(tx).deprecate(template.id, version)))
        throw PlatformError.of(
          "failed_precondition",
          "version",
          `version ${version} is not a published version`,
        );
      return {
        result: undefined,
        target: `template:${template.id}`,
        after: { version, state: "deprecated" },
      };
    });
  }

  async deleteTemplate(caller: Caller, templateRef: string): Promise<void> {
    const template = await this.managed(caller, templateRef);
    await this.change(caller, template.ownerTenantId, "template.delete", async (tx) => {
      await new CatalogueStore(tx).deleteTemplate(template.id);
      return { result: undefined, target: `template:${template.id}`, before: { ...template } };
    });
  }

  /** The templates `tenant` sees, by name, one page at a time. */
  async list(
    caller: Caller,
    tenantRef: string,
    page: { afterName?: string; limit?: number },
  ): Promise<Template[]> {
    const tenantId = await this.readableTenant(caller, tenantRef);
    const limit = page.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_SIZE_LIMIT)
      throw PlatformError.of("invalid_argument", "limit", `expected 1 to ${PAGE_SIZE_LIMIT}`);
    return new CatalogueStore(this.db).listTemplates({
      visibleTo: tenantId,
      limit,
      ...(page.afterName !== undefined && { afterName: page.afterName }),
    });
  }

  /** One template as `tenant` sees it, with its effective parameter schema. */
  async get(caller: Caller, templateRef: string, tenantRef: string): Promise<TenantTemplateView> {
    const tenantId = await this.readableTenant(caller, tenantRef);
    const template = await this.visible(templateRef, tenantId);
    return this.viewFor(template, tenantId);
  }

  /** The template `ref` names if `tenantId` may see (and so deploy) it; not_found otherwise. */
  async visible(ref: string, tenantId: string): Promise<Template> {
    const store = new CatalogueStore(this.db);
    const template = typeof ref === "string" && ref !== "" ? await store.template(ref) : undefined;
    const constraint = template && (await store.constraint(template.id, tenantId));
    const ownerMatches =
      template !== undefined && (template.ownerTenantId === null || template.ownerTenantId === tenantId);
    if (template === undefined || !ownerMatches || constraint?.constraint.allowed === false)
      throw PlatformError.of("not_found", "template", `no template ${ref}`);
    return template;
  }

  private async viewFor(template: Template, tenantId: string | null): Promise<TenantTemplateView> {
    const store = new CatalogueStore(this.db);
    const versions = await store.versions(template.id);
    // The template's own answer (catalogue-store), so that the view and its template agree.
    const latest = versions.find((v) => v.version === template.latestPublished);
    const constraint = tenantId === null ? undefined : await store.constraint(template.id, tenantId);
    return {
      template,
      versions,
      latestPublished: template.latestPublished,
      effectiveParameters:
        latest === undefined
          ? null
          : effectiveParameterSchema(latest.parameters, constraint?.constraint ?? UNCONSTRAINED),
      maxInstances: constraint?.constraint.maxInstances ?? null,
    };
  }

  /** The checked source, or every problem found in it. */
  private async checkedSource(language: TemplateLanguage, input: unknown): Promise<TemplateSource> {
    if (input === null || typeof input !== "object" || Array.isArray(input))
      throw PlatformError.of("invalid_argument", "source", "expected files, dependencies and parameters");
    const { files, dependencies = {}, parameters } = input as Record<string, unknown>;
    const problems: Problem[] = [];
    if (
      files === null ||
      typeof files !== "object" ||
      Array.isArray(files) ||
      !Object.values(files).every((text) => typeof text === "string")
    )
      problems.push({ at: "files", message: "expected an object of file paths and their text" });
    problems.push(...dependencyProblems(language, dependencies));
    const read = readParameterSchema(parameters ?? { type: "object", properties: {} });
    problems.push(...read.problems);
    if (read.schema !== undefined) problems.push(...defaultProblems(read.schema));
    if (problems.length > 0) throw PlatformError.invalid(problems);
    const source: TemplateSource = {
      files: files as Record<string, string>,
      dependencies: dependencies as Record<string, string>,
      parameters: read.schema as ParameterSchema,
    };
    const codeProblems = await this.checkCode({ language, ...source });
    if (codeProblems.length > 0) throw PlatformError.invalid(codeProblems);
    return source;
  }

  /** The tenant owning a new template, or null for the provider's own (Provider Admin only). */
  private async ownerFor(caller: Caller, ownerTenant: string | undefined): Promise<string | null> {
    if (ownerTenant === undefined || ownerTenant === "") {
      requireProviderAdmin(caller, "ownerTenant");
      return null;
    }
    const tenant = await new TenancyStore(this.db).tenant(ownerTenant);
    if (
      tenant === undefined ||
      (!caller.principal.providerAdmin && !caller.principal.memberships.has(tenant.id))
    )
      throw PlatformError.of("not_found", "ownerTenant", `no tenant ${ownerTenant}`);
    requirePermission(caller, "pulumi:template:manage", tenant.id, { at: "ownerTenant", name: "tenant" });
    return tenant.id;
  }

  /** A template the caller may change: its tenant's managers', or a Provider Admin's. */
  async managed(caller: Caller, ref: string): Promise<Template> {
    const template =
      typeof ref === "string" && ref !== "" ? await new CatalogueStore(this.db).template(ref) : undefined;
    if (template === undefined) throw PlatformError.of("not_found", "template", `no template ${ref}`);
    requireManager(caller, template, { at: "template", ref });
    return template;
  }

  private async readableTenant(caller: Caller, tenantRef: string): Promise<string> {
    const tenant =
      typeof tenantRef === "string" && tenantRef !== ""
        ? await new TenancyStore(this.db).tenant(tenantRef)
        : undefined;
    if (tenant === undefined) throw PlatformError.of("not_found", "tenant", `no tenant ${tenantRef}`);
    requirePermission(caller, "pulumi:template:read", tenant.id, { at: "tenant", name: "tenant" });
    return tenant.id;
  }

  private change<T>(
    caller: Caller,
    tenantId: string | null,
    action: string,
    apply: (tx: SqlTransaction) => Promise<ChangeOutcome<T>>,
  ): Promise<T> {
    return auditedChange(this.db, caller, tenantId, action, apply);
  }
}

/**
 * Who manages a template — changes it, and previews stacks with its draft: a Provider Admin the
 * provider's templates and system ones, the owner tenant's `pulumi:template:manage` holders the
 * rest. Refuses anyone else naming `subject.at`; one who cannot see the template learns only that
 * there is no template `subject.ref` (as they named it).
 */
export function requireManager(
  caller: Caller,
  template: Template,
  subject: { at: string; ref: string },
): void {
  if (template.ownerTenantId === null || template.system) {
    if (caller.principal.providerAdmin) return;
    const seesIt =
      template.ownerTenantId === null || caller.principal.memberships.has(template.ownerTenantId);
    if (!seesIt) throw PlatformError.of("not_found", subject.at, `no template ${subject.ref}`);
    throw PlatformError.of("permission_denied", subject.at, "only a Provider Admin manages this template");
  }
  requirePermission(caller, "pulumi:template:manage", template.ownerTenantId, {
    at: subject.at,
    name: "template",
  });
}

/** A template's source made from a component's schema by the translation core. */
function fromComponent(component: { schema: string; token?: string }, name: string): unknown {
  try {
    const schema = parsePackageSchema(String(component.schema), "component.schema");
    const made = componentTemplate(prepareComponent(schema, component.token, "component.token"), name);
    return { files: { "Pulumi.yaml": toYaml(made.project) }, dependencies: {}, parameters: made.parameters };
  } catch (error) {
    if (error instanceof StackwrightInputError) throw PlatformError.invalid(error.problems);
    throw error;
  }
}

/** Each default must be a value its own parameter accepts. */
function defaultProblems(schema: ParameterSchema): Problem[] {
  const problems: Problem[] = [];
  for (const [name, property] of Object.entries(schema.properties)) {
    if (property.default === undefined) continue;
    const validate = compileParameterValidator(
      { type: "object", properties: { [name]: property }, additionalProperties: false },
      "parameters.properties",
    );
    for (const problem of validate({ [name]: property.default }).problems)
      problems.push({ at: `${problem.at}.default`, message: problem.message });
  }
  return problems;
}

/** What the audit log keeps of a version: never its files, which may be large. */
function summary(version: TemplateVersion): Record<string, unknown> {
  return {
    version: version.version,
    state: version.state,
    contentHash: version.contentHash,
    files: Object.keys(version.files),
    dependencies: version.dependencies,
    parameters: Object.keys(version.parameters.properties),
  };
}
