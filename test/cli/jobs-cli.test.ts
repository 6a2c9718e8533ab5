import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Command, CommanderError } from "commander";
import { registerJobCommands } from "../../src/cli/jobs-cli";
import { StackwrightInputError } from "../../src/core/errors";
import { type ApiServer, startApiServer } from "../../src/jobs/api/server";
import { TOKEN_ENV } from "../../src/jobs/config/api-tokens";
import { FakeJobService, TOKEN, WRONG_TOKEN } from "../support/job-api-fixture";

describe("job commands", () => {
  let fake: FakeJobService;
  let server: ApiServer;
  let dir: string;
  let tokenFile: string;
  const savedToken = process.env[TOKEN_ENV];

  before(async () => {
    delete process.env[TOKEN_ENV];
    fake = new FakeJobService();
    server = await startApiServer({ service: fake, token: TOKEN });
    dir = mkdtempSync(join(tmpdir(), "stackwright-cli-"));
    tokenFile = join(dir, "api-token");
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  });
  after(async () => {
    if (savedToken !== undefined) process.env[TOKEN_ENV] = savedToken;
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** As `stackwright` runs a command: bad input and failures exit 1, printed one problem a line. */
  async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const program = new Command("stackwright")
      .exitOverride()
      .configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => err.push(s) });
    registerJobCommands(program, { log: (line) => out.push(line), err: (line) => err.push(line) });
    try {
      await program.parseAsync(argv, { from: "user" });
      return { code: 0, out, err };
    } catch (error) {
      if (error instanceof CommanderError) return { code: error.exitCode === 0 ? 0 : 2, out, err };
      if (!(error instanceof StackwrightInputError)) throw error;
      for (const p of error.problems) err.push(`stackwright: error: ${p.at}: ${p.message}`);
      return { code: 1, out, err };
    }
  }
  const connection = () => ["--url", server.url, "--token-file", tokenFile];

  it("deploy prints the job id", async () => {
    const { code, out } = await run("deploy", "acme/app/idle", "--operation", "preview", ...connection());
    assert.equal(code, 0);
    assert.match(out.join("\n"), /^job-\d+$/);
  });

  it("deploy --watch follows a job that succeeds and exits 0", async () => {
    const { code, out, err } = await run("deploy", "acme/app/ok", "--watch", ...connection());
    assert.equal(code, 0, err.join("\n"));
    const id = out[0] ?? "";
    assert.match(id, /^job-\d+$/);
    assert.match(out.join("\n"), new RegExp(`^${id}  running  resources 2/2  \\d+s$`, "m"));
    assert.match(out.join("\n"), new RegExp(`^${id}  succeeded  resources 2/2  \\d+s$`, "m"));
    assert.match(out.join("\n"), /^changes: create 2$/m);
    assert.deepEqual(err, []);
  });

  it("deploy --watch exits 1 with the job's error when the job fails", async () => {
    const { code, out, err } = await run("deploy", "acme/app/bad", "--watch", ...connection());
    assert.equal(code, 1);
    assert.deepEqual(err, [`stackwright: error: job ${out[0]}: failed: the database refused: boom`]);
  });

  it("jobs get shows a job's output and error as plain text, never the terminal escapes stored", async () => {
    const id = (await run("deploy", "acme/app/bad", "--watch", ...connection())).out[0] ?? "";
    const shown = await run("jobs", "get", id, ...connection());
    assert.equal(shown.code, 0);
    const text = shown.out.join("\n");
    assert.match(text, /^error: +the database refused: boom$/m);
    assert.match(text, /^ {2}working\n {2}done$/m);
    for (const control of ["\u001b", "\u0007", "\r"])
      assert.ok(!text.includes(control), JSON.stringify(text));
  });

  it("refuses bad flags and reports the service's refusals by field", async () => {
    const badOperation = await run("deploy", "acme/app/ok", "--operation", "apply", ...connection());
    assert.equal(badOperation.code, 1);
    assert.match(badOperation.err.join("\n"), /^stackwright: error: --operation: expected one of/);
    const unknown = await run("deploy", "a/b/c", ...connection());
    assert.equal(unknown.code, 1);
    assert.deepEqual(unknown.err, ['stackwright: error: stack: no stack "a/b/c" is registered']);
    const missing = await run("jobs", "get", "job-404", ...connection());
    assert.deepEqual(missing, { code: 1, out: [], err: ['stackwright: error: id: no job "job-404"'] });
  });

  it("without a token prints one line naming the variable and the token file", async () => {
    const callsBefore = fake.calls.length;
    const absent = join(dir, "no-such-token");
    const { code, err } = await run("deploy", "acme/app/ok", "--url", server.url, "--token-file", absent);
    assert.equal(code, 1);
    assert.equal(err.length, 1);
    assert.match(
      err[0] ?? "",
      new RegExp(`^stackwright: error: ${TOKEN_ENV}: .*${absent.replaceAll("/", "\\/")}`),
    );
    assert.deepEqual(fake.calls.slice(callsBefore), []);
  });

  it("takes the token from the environment first, and never shows a refused one", async () => {
    process.env[TOKEN_ENV] = WRONG_TOKEN;
    try {
      const { code, err } = await run("jobs", "list", ...connection());
      assert.equal(code, 1);
      assert.match(err.join("\n"), new RegExp(`^stackwright: error: ${TOKEN_ENV}: .*refused`));
      assert.ok(!err.join("\n").includes(WRONG_TOKEN));
    } finally {
      delete process.env[TOKEN_ENV];
    }
  });

  it("jobs list, get --json and cancel", async () => {
    const deployed = await run("deploy", "acme/app/idle", ...connection());
    const id = deployed.out[0] ?? "";
    const listed = await run("jobs", "list", "--stack", "acme/app/idle", "--limit", "1", ...connection());
    assert.equal(listed.code, 0);
    assert.match(listed.out[0] ?? "", /^ID\s+STACK\s+OPERATION\s+STATUS\s+CREATED$/);
    assert.match(listed.out[1] ?? "", new RegExp(`^${id}\\s+acme/app/idle\\s+up\\s+queued\\s+\\d{4}-`));
    assert.equal(listed.out.length, 2);

    const shown = await run("jobs", "get", id, ...connection());
    assert.match(shown.out.join("\n"), /^status: +queued$/m);
    const json = await run("jobs", "get", id, "--json", ...connection());
    assert.equal((JSON.parse(json.out.join("\n")) as { id: string }).id, id);

    const canceled = await run("jobs", "cancel", id, ...connection());
    assert.deepEqual(canceled, { code: 0, out: [`${id} canceled`], err: [] });
  });

  it("jobs list filters by status and operation as the service names them, and refuses other names itself", async () => {
    const previewed = (await run("deploy", "acme/app/idle", "--operation", "preview", ...connection()))
      .out[0];
    const upped = (await run("deploy", "acme/app/idle", ...connection())).out[0];
    assert.ok(previewed && upped);
    const listed = await run(
      "jobs",
      "list",
      "--stack",
      "acme/app/idle",
      "--status",
      "queued",
      "--operation",
      "preview",
      "--limit",
      "100",
      ...connection(),
    );
    assert.equal(listed.code, 0, listed.err.join("\n"));
    const rows = listed.out.slice(1);
    assert.ok(rows.some((row) => row.startsWith(`${previewed} `)));
    assert.ok(!rows.some((row) => row.startsWith(`${upped} `)));
    assert.ok(
      rows.every((row) => /\s+preview\s+queued\s+/.test(row)),
      rows.join("\n"),
    );
    // --json is the API's own JSON, enum names and all.
    const json = await run("jobs", "get", previewed, "--json", ...connection());
    assert.equal((JSON.parse(json.out.join("\n")) as { status: string }).status, "JOB_STATUS_QUEUED");

    const callsBefore = fake.calls.length;
    for (const [flag, value, expected] of [
      ["--status", "done", "queued, running, succeeded, failed, canceled, timed_out"],
      ["--status", "JOB_STATUS_QUEUED", "queued, running, succeeded, failed, canceled, timed_out"],
      ["--operation", "apply", "preview, up, refresh, destroy"],
    ] as const)
      assert.deepEqual(await run("jobs", "list", flag, value, ...connection()), {
        code: 1,
        out: [],
        err: [`stackwright: error: ${flag}: expected one of ${expected}`],
      });
    assert.deepEqual(fake.calls.slice(callsBefore), []);
    for (const id of [previewed, upped]) await run("jobs", "cancel", id, ...connection());
  });
});
