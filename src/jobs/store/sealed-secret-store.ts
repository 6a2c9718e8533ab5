import { isUniqueViolation, type SqlExecutor } from "./sql-database";

/**
 * Secrets as sealed text (see secrets/envelope.ts): the store never sees a plain value. An owner
 * is `stack:<id>` (a tenant stack's passphrase and secret parameters), `tenant:<id>` (a
 * tenant's credentials) or `state-store:…` (a tenant's credentials for its state, state-store/).
 */
export class SealedSecretStore {
  constructor(private readonly db: SqlExecutor) {}

  async put(owner: string, name: string, sealed: string, now = Date.now()): Promise<void> {
    const updated = await this.db.run(
      "UPDATE sealed_secrets SET sealed = ?, created_at = ? WHERE owner = ? AND name = ?",
      [sealed, now, owner, name],
    );
    if (updated === 0)
      await this.db.run("INSERT INTO sealed_secrets (owner, name, sealed, created_at) VALUES (?, ?, ?, ?)", [
        owner,
        name,
        sealed,
        now,
      ]);
  }

  /**
   * Stores the value unless the owner holds one by that name already: whoever stores first wins,
   * across processes too, and every later caller reads what it stored. False: one was there.
   */
  async addIfAbsent(owner: string, name: string, sealed: string, now = Date.now()): Promise<boolean> {
    try {
      await this.db.run("INSERT INTO sealed_secrets (owner, name, sealed, created_at) VALUES (?, ?, ?, ?)", [
        owner,
        name,
        sealed,
        now,
      ]);
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** Sealed values by name. */
  async all(owner: string): Promise<Map<string, string>> {
    const rows = await this.db.query(
      "SELECT name, sealed FROM sealed_secrets WHERE owner = ? ORDER BY name",
      [owner],
    );
    return new Map(rows.map((r) => [String(r.name), String(r.sealed)]));
  }

  /** The names an owner holds, for listing: never the values. */
  async names(owner: string): Promise<string[]> {
    return (
      await this.db.query("SELECT name FROM sealed_secrets WHERE owner = ? ORDER BY name", [owner])
    ).map((r) => String(r.name));
  }

  async remove(owner: string, name: string): Promise<boolean> {
    return (await this.db.run("DELETE FROM sealed_secrets WHERE owner = ? AND name = ?", [owner, name])) > 0;
  }
}
