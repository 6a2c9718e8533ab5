import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SERVICE_CALLER } from "../../../src/jobs/domain/caller";
import { PlatformError } from "../../../src/jobs/domain/platform-error";
import { Authenticator } from "../../../src/jobs/service/authenticator";
import { GovernanceService } from "../../../src/jobs/service/governance-service";
import { migrate } from "../../../src/jobs/store/migrations";
import { SqliteDatabase } from "../../../src/jobs/store/sqlite-database";

const SERVICE_TOKEN = "service-token-0123456789abcdef";
const unauthenticated = (error: unknown) =>
  error instanceof PlatformError &&
  error.code === "unauthenticated" &&
  error.message === "authorization: the token is not valid: unknown, revoked or expired";

describe("authentication", () => {
  let db: SqliteDatabase;
  let governance: GovernanceService;
  let authenticator: Authenticator;
  before(async () => {
    db = new SqliteDatabase(join(mkdtempSync(join(tmpdir(), "sw-auth-")), "platform.db"));
    await migrate(db);
    governance = new GovernanceService(db);
    authenticator = new Authenticator(db, () => [SERVICE_TOKEN]);
    await governance.createTenant(SERVICE_CALLER, { name: "team-a" });
    await governance.createUser(SERVICE_CALLER, { name: "alice" });
    await governance.setMembership(SERVICE_CALLER, { tenant: "team-a", user: "alice", role: "user" });
  });
  after(async () => db?.close());

  it("knows the service's token and a user's, with the user's roles", async () => {
    assert.equal((await authenticator.authenticate(SERVICE_TOKEN)).actor, "service");
    const { token } = await governance.issueToken(SERVICE_CALLER, { user: "alice", name: "laptop" });
    const alice = await authenticator.authenticate(token);
    assert.equal(alice.actor, "alice");
    assert.equal(alice.principal.providerAdmin, false);
    assert.deepEqual([...alice.principal.memberships.values()], ["user"]);
  });

  it("refuses revoked, expired, altered and unknown tokens alike", async () => {
    const { token, info } = await governance.issueToken(SERVICE_CALLER, {
      user: "alice",
      name: "ci",
      expiresInDays: 1,
    });
    await assert.rejects(authenticator.authenticate(token, Date.now() + 2 * 86_400_000), unauthenticated);
    await assert.rejects(
      authenticator.authenticate(`${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`),
      unauthenticated,
    );
    await assert.rejects(
      authenticator.authenticate(`swt_0000000000000000_${"a".repeat(43)}`),
      unauthenticated,
    );
    await assert.rejects(authenticator.authenticate("not-the-service-token"), unauthenticated);
    await assert.rejects(authenticator.authenticate(undefined), /send a bearer token/);
    assert.equal((await authenticator.authenticate(token)).actor, "alice");
    const alice = await authenticator.authenticate(token);
    await governance.revokeToken(alice, info.id);
    await assert.rejects(authenticator.authenticate(token), unauthenticated);
  });

  it("lets a user list and revoke only their own tokens", async () => {
    await governance.createUser(SERVICE_CALLER, { name: "bob" });
    const bobToken = await governance.issueToken(SERVICE_CALLER, { user: "bob", name: "b" });
    const { token } = await governance.issueToken(SERVICE_CALLER, { user: "alice", name: "mine" });
    const alice = await authenticator.authenticate(token);
    assert.ok((await governance.listTokens(alice)).every((t) => t.userId === alice.principal.userId));
    await assert.rejects(
      governance.revokeToken(alice, bobToken.info.id),
      (e) => e instanceof PlatformError && e.code === "not_found",
    );
    await assert.rejects(
      governance.listTokens(alice, "bob"),
      (e) => e instanceof PlatformError && e.code === "not_found",
    );
    assert.equal((await authenticator.authenticate(bobToken.token)).actor, "bob");
  });
});
