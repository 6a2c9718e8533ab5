import {
  type AppliedPolicyPack,
  isPolicyEnforcement,
  type PolicyAttachment,
  type PolicyPack,
  type PolicyPackLanguage,
  type PolicyPackSource,
  type PolicyScope,
} from "../domain/policy-pack";
import type { Row, SqlExecutor } from "./sql-database";

/** Policy packs' versions and where they are attached, in SQL. */
export class PolicyPackStore {
  constructor(private readonly db: SqlExecutor) {}

  /** Stores `source` as the pack's next version (1 for a new pack). Run it in a serialized transaction. */
  async publish(
    name: string,
    source: PolicyPackSource & { contentHash: string },
    createdBy: string,
    now = Date.now(),
  ): Promise<PolicyPack> {
    const [row] = await this.db.query("SELECT MAX(version) AS latest FROM policy_packs WHERE name = ?", [
      name,
    ]);
    const version = row?.latest == null ? 1 : Number(row.latest) + 1;
    await this.db.run(
      `INSERT INTO policy_packs (name, version, language, files, dependencies, content_hash, created_at, created_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        name,
        version,
        source.language,
        JSON.stringify(source.files),
        JSON.stringify(source.dependencies),
        source.contentHash,
        now,
        createdBy,
      ],
    );
    return (await this.pack(name, version)) as PolicyPack;
  }

  /** A version of a pack; its latest when `version` is not given. */
  async pack(name: string, version?: number): Promise<PolicyPack | undefined> {
    const [row] =
      version === undefined
        ? await this.db.query("SELECT * FROM policy_packs WHERE name = ? ORDER BY version DESC LIMIT 1", [
            name,
          ])
        : await this.db.query("SELECT * FROM policy_packs WHERE name = ? AND version = ?", [name, version]);
    return row === undefined ? undefined : toPack(row);
  }

  /** Every pack's latest version, by name. */
  async latestPacks(): Promise<PolicyPack[]> {
    const rows = await this.db.query(
      `SELECT p.* FROM policy_packs p
       WHERE p.version = (SELECT MAX(version) FROM policy_packs q WHERE q.name = p.name)
       ORDER BY p.name`,
    );
    return rows.map(toPack);
  }

  /** Attaches a pack version to a template or tenant, in place of the version attached there before. */
  async attach(attachment: Omit<PolicyAttachment, "createdAt">, now = Date.now()): Promise<PolicyAttachment> {
    const key = [attachment.scope, attachment.scopeId, attachment.packName];
    await this.db.run(
      "DELETE FROM policy_attachments WHERE scope = ? AND scope_id = ? AND pack_name = ?",
      key,
    );
    await this.db.run(
      `INSERT INTO policy_attachments (scope, scope_id, pack_name, pack_version, enforcement, created_at, created_by)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [...key, attachment.packVersion, attachment.enforcement, now, attachment.createdBy],
    );
    return (await this.attachment(
      attachment.scope,
      attachment.scopeId,
      attachment.packName,
    )) as PolicyAttachment;
  }

  async attachment(
    scope: PolicyScope,
    scopeId: string,
    packName: string,
  ): Promise<PolicyAttachment | undefined> {
    const [row] = await this.db.query(
      "SELECT * FROM policy_attachments WHERE scope = ? AND scope_id = ? AND pack_name = ?",
      [scope, scopeId, packName],
    );
    return row === undefined ? undefined : toAttachment(row);
  }

  /** Whether there was an attachment to remove. */
  async detach(scope: PolicyScope, scopeId: string, packName: string): Promise<boolean> {
    const removed = await this.db.run(
      "DELETE FROM policy_attachments WHERE scope = ? AND scope_id = ? AND pack_name = ?",
      [scope, scopeId, packName],
    );
    return removed > 0;
  }

  /** Attachments, of one scope when given, ordered for display. */
  async attachments(filter: { scope?: PolicyScope; scopeId?: string } = {}): Promise<PolicyAttachment[]> {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.scope !== undefined) {
      where.push("scope = ?");
      params.push(filter.scope);
    }
    if (filter.scopeId !== undefined) {
      where.push("scope_id = ?");
      params.push(filter.scopeId);
    }
    const rows = await this.db.query(
      `SELECT * FROM policy_attachments ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY scope, scope_id, pack_name`,
      params,
    );
    return rows.map(toAttachment);
  }

  /**
   * The packs a stack of `templateId` in `tenantId` runs with: the template's and the tenant's,
   * by pack name. A pack attached to both runs once, at the stricter of the two levels.
   */
  async appliedTo(templateId: string, tenantId: string): Promise<AppliedPolicyPack[]> {
    const rows = await this.db.query(
      `SELECT a.enforcement AS attached_enforcement, p.*
       FROM policy_attachments a
       JOIN policy_packs p ON p.name = a.pack_name AND p.version = a.pack_version
       WHERE (a.scope = 'template' AND a.scope_id = ?) OR (a.scope = 'tenant' AND a.scope_id = ?)
       ORDER BY p.name, a.scope`,
      [templateId, tenantId],
    );
    const byName = new Map<string, AppliedPolicyPack[]>();
    for (const row of rows) {
      const applied: AppliedPolicyPack = {
        pack: toPack(row),
        enforcement: isPolicyEnforcement(row.attached_enforcement) ? row.attached_enforcement : null,
      };
      byName.set(applied.pack.name, [...(byName.get(applied.pack.name) ?? []), applied]);
    }
    return [...byName.values()].map(stricter);
  }
}

/**
 * Of one pack attached twice, the attachment that checks more: a level the pack keeps (null) is
 * stricter than advisory, and mandatory than both. The same pack name always means one pack, so
 * the newer version is run.
 */
function stricter(attached: readonly AppliedPolicyPack[]): AppliedPolicyPack {
  const rank = (a: AppliedPolicyPack) => (a.enforcement === "mandatory" ? 2 : a.enforcement === null ? 1 : 0);
  const newest = attached.reduce((a, b) => (b.pack.version > a.pack.version ? b : a));
  const strictest = attached.reduce((a, b) => (rank(b) > rank(a) ? b : a));
  return { pack: newest.pack, enforcement: strictest.enforcement };
}

function toPack(row: Row): PolicyPack {
  return {
    name: String(row.name),
    version: Number(row.version),
    language: String(row.language) as PolicyPackLanguage,
    files: JSON.parse(String(row.files)) as Record<string, string>,
    dependencies: JSON.parse(String(row.dependencies)) as Record<string, string>,
    contentHash: String(row.content_hash),
    createdAt: Number(row.created_at),
    createdBy: String(row.created_by),
  };
}

function toAttachment(row: Row): PolicyAttachment {
  return {
    packName: String(row.pack_name),
    packVersion: Number(row.pack_version),
    scope: String(row.scope) as PolicyScope,
    scopeId: String(row.scope_id),
    enforcement: isPolicyEnforcement(row.enforcement) ? row.enforcement : null,
    createdAt: Number(row.created_at),
    createdBy: String(row.created_by),
  };
}
