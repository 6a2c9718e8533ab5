import { randomUUID } from "node:crypto";
import type { TemplateConstraint } from "../../catalog/constraints";
import type { ParameterSchema } from "../../catalog/parameter-schema";
import {
  type ConstraintRecord,
  isTemplateLanguage,
  type Template,
  type TemplateSource,
  type TemplateVersion,
  type VersionState,
} from "../domain/catalogue";
import type { Row, SqlExecutor } from "./sql-database";

export type NewTemplate = Omit<Template, "id" | "createdAt" | "deletedAt" | "latestPublished">;

/**
 * A template's columns and its newest published version, in the same query: the newest version in
 * state `published` (a deprecated one no longer counts), NULL when there is none. Read per row by
 * the versions' primary key, so a page of templates costs one query, not one per template.
 */
const TEMPLATE_COLUMNS = `t.*, (SELECT MAX(v.version) FROM template_versions v
  WHERE v.template_id = t.id AND v.state = 'published') AS latest_published`;

export interface TemplateListQuery {
  /** Only the templates this tenant sees: the provider's, unless denied to it, and its own. */
  readonly visibleTo?: string;
  /** Templates after this name (the previous page's last). */
  readonly afterName?: string;
  readonly limit: number;
}

/** Templates, their versions and tenants' constraints on them, in SQL. */
export class CatalogueStore {
  constructor(private readonly db: SqlExecutor) {}

  async createTemplate(template: NewTemplate, now = Date.now()): Promise<Template> {
    const id = randomUUID();
    await this.db.run(
      `INSERT INTO templates (id, name, owner_tenant_id, display_name, description, language, system, created_at, created_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        template.name,
        template.ownerTenantId,
        template.displayName,
        template.description,
        template.language,
        template.system ? 1 : 0,
        now,
        template.createdBy,
      ],
    );
    return (await this.template(id)) as Template;
  }

  /** A template that is not deleted, by id or name. */
  async template(idOrName: string): Promise<Template | undefined> {
    const [row] = await this.db.query(
      `SELECT ${TEMPLATE_COLUMNS} FROM templates t WHERE (t.id = ? OR t.name = ?) AND t.deleted_at IS NULL`,
      [idOrName, idOrName],
    );
    return row === undefined ? undefined : toTemplate(row);
  }

  /** A template by id, deleted or not: stacks keep running the versions they pinned. */
  async templateById(id: string): Promise<Template | undefined> {
    const [row] = await this.db.query(`SELECT ${TEMPLATE_COLUMNS} FROM templates t WHERE t.id = ?`, [id]);
    return row === undefined ? undefined : toTemplate(row);
  }

  async updateTemplate(id: string, fields: { displayName: string; description: string }): Promise<void> {
    await this.db.run(
      "UPDATE templates SET display_name = ?, description = ? WHERE id = ? AND deleted_at IS NULL",
      [fields.displayName, fields.description, id],
    );
  }

  /** Deleted templates keep their versions: tenants' stacks still pin them. */
  async deleteTemplate(id: string, now = Date.now()): Promise<boolean> {
    return (
      (await this.db.run("UPDATE templates SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL", [
        now,
        id,
      ])) > 0
    );
  }

  async listTemplates(query: TemplateListQuery): Promise<Template[]> {
    const where = ["t.deleted_at IS NULL", "t.name > ?"];
    const params: (string | number)[] = [query.afterName ?? ""];
    if (query.visibleTo !== undefined) {
      where.push(
        `(t.owner_tenant_id = ? OR (t.owner_tenant_id IS NULL AND NOT EXISTS (
           SELECT 1 FROM template_constraints c
           WHERE c.template_id = t.id AND c.tenant_id = ? AND c.allowed = 0)))`,
      );
      params.push(query.visibleTo, query.visibleTo);
    }
    const rows = await this.db.query(
      `SELECT ${TEMPLATE_COLUMNS} FROM templates t WHERE ${where.join(" AND ")} ORDER BY t.name LIMIT ?`,
      [...params, query.limit],
    );
    return rows.map(toTemplate);
  }

  async versions(templateId: string): Promise<TemplateVersion[]> {
    return (
      await this.db.query("SELECT * FROM template_versions WHERE template_id = ? ORDER BY version", [
        templateId,
      ])
    ).map(toVersion);
  }

  async version(templateId: string, version: number): Promise<TemplateVersion | undefined> {
    const [row] = await this.db.query(
      "SELECT * FROM template_versions WHERE template_id = ? AND version = ?",
      [templateId, version],
    );
    return row === undefined ? undefined : toVersion(row);
  }

  async latestVersion(templateId: string, state?: VersionState): Promise<TemplateVersion | undefined> {
    const [row] = await this.db.query(
      `SELECT * FROM template_versions WHERE template_id = ? ${state === undefined ? "" : "AND state = ?"}
       ORDER BY version DESC LIMIT 1`,
      state === undefined ? [templateId] : [templateId, state],
    );
    return row === undefined ? undefined : toVersion(row);
  }

  /** Writes the template's draft, creating it as the next version when there is none. */
  async saveDraft(
    templateId: string,
    source: TemplateSource,
    by: string,
    now = Date.now(),
  ): Promise<TemplateVersion> {
    const json = [
      JSON.stringify(source.files),
      JSON.stringify(source.dependencies),
      JSON.stringify(source.parameters),
    ];
    const updated = await this.db.run(
      "UPDATE template_versions SET files = ?, dependencies = ?, parameters = ? WHERE template_id = ? AND state = 'draft'",
      [...json, templateId],
    );
    if (updated === 0)
      await this.db.run(
        `INSERT INTO template_versions (template_id, version, state, files, dependencies, parameters, created_at, created_by)
         VALUES (?, (SELECT COALESCE(MAX(version), 0) + 1 FROM template_versions WHERE template_id = ?), 'draft', ?, ?, ?, ?, ?)`,
        [templateId, templateId, ...json, now, by],
      );
    return (await this.latestVersion(templateId, "draft")) as TemplateVersion;
  }

  /** Freezes the draft as published under `contentHash`; false when there is no draft. */
  async publishDraft(
    templateId: string,
    contentHash: string,
    by: string,
    now = Date.now(),
  ): Promise<boolean> {
    return (
      (await this.db.run(
        `UPDATE template_versions SET state = 'published', content_hash = ?, published_at = ?, published_by = ?
         WHERE template_id = ? AND state = 'draft'`,
        [contentHash, now, by, templateId],
      )) > 0
    );
  }

  async deprecate(templateId: string, version: number): Promise<boolean> {
    return (
      (await this.db.run(
        "UPDATE template_versions SET state = 'deprecated' WHERE template_id = ? AND version = ? AND state = 'published'",
        [templateId, version],
      )) > 0
    );
  }

  async setConstraint(
    templateId: string,
    tenantId: string,
    constraint: TemplateConstraint,
    by: string,
    now = Date.now(),
  ): Promise<ConstraintRecord> {
    const json = JSON.stringify(constraint);
    const allowed = constraint.allowed ? 1 : 0;
    const updated = await this.db.run(
      `UPDATE template_constraints SET constraint_json = ?, allowed = ?, updated_at = ?, updated_by = ?
       WHERE template_id = ? AND tenant_id = ?`,
      [json, allowed, now, by, templateId, tenantId],
    );
    if (updated === 0)
      await this.db.run(
        `INSERT INTO template_constraints (template_id, tenant_id, constraint_json, allowed, updated_at, updated_by)
         VALUES (?, ?, ?, ?, ?, ?)`,
        [templateId, tenantId, json, allowed, now, by],
      );
    return (await this.constraint(templateId, tenantId)) as ConstraintRecord;
  }

  async constraint(templateId: string, tenantId: string): Promise<ConstraintRecord | undefined> {
    const [row] = await this.db.query(
      "SELECT * FROM template_constraints WHERE template_id = ? AND tenant_id = ?",
      [templateId, tenantId],
    );
    return row === undefined ? undefined : toConstraint(row);
  }

  async removeConstraint(templateId: string, tenantId: string): Promise<boolean> {
    return (
      (await this.db.run("DELETE FROM template_constraints WHERE template_id = ? AND tenant_id = ?", [
        templateId,
        tenantId,
      ])) > 0
    );
  }

  async constraints(filter: { templateId?: string; tenantId?: string }): Promise<ConstraintRecord[]> {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.templateId !== undefined) {
      where.push("template_id = ?");
      params.push(filter.templateId);
    }
    if (filter.tenantId !== undefined) {
      where.push("tenant_id = ?");
      params.push(filter.tenantId);
    }
    const rows = await this.db.query(
      `SELECT * FROM template_constraints ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY template_id, tenant_id`,
      params,
    );
    return rows.map(toConstraint);
  }
}

function toTemplate(row: Row): Template {
  const language = String(row.language);
  if (!isTemplateLanguage(language))
    throw new Error(`template ${String(row.id)} has an unknown language ${language}`);
  return {
    id: String(row.id),
    name: String(row.name),
    ownerTenantId: row.owner_tenant_id === null ? null : String(row.owner_tenant_id),
    displayName: String(row.display_name),
    description: String(row.description),
    language,
    system: Number(row.system) === 1,
    createdAt: Number(row.created_at),
    createdBy: String(row.created_by),
    deletedAt: row.deleted_at === null ? null : Number(row.deleted_at),
    latestPublished: row.latest_published == null ? null : Number(row.latest_published),
  };
}

function toVersion(row: Row): TemplateVersion {
  return {
    templateId: String(row.template_id),
    version: Number(row.version),
    state: String(row.state) as VersionState,
    files: JSON.parse(String(row.files)) as Record<string, string>,
    dependencies: JSON.parse(String(row.dependencies)) as Record<string, string>,
    parameters: JSON.parse(String(row.parameters)) as ParameterSchema,
    contentHash: row.content_hash === null ? null : String(row.content_hash),
    createdAt: Number(row.created_at),
    createdBy: String(row.created_by),
    publishedAt: row.published_at === null ? null : Number(row.published_at),
    publishedBy: row.published_by === null ? null : String(row.published_by),
  };
}

function toConstraint(row: Row): ConstraintRecord {
  return {
    templateId: String(row.template_id),
    tenantId: String(row.tenant_id),
    constraint: JSON.parse(String(row.constraint_json)) as TemplateConstraint,
    updatedAt: Number(row.updated_at),
    updatedBy: String(row.updated_by),
  };
}
