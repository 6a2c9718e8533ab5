import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Command } from "commander";
import { buildCli } from "../../src/cli/stackwright";
import { SERVICE_CALLER } from "../../src/jobs/domain/caller";
import { type CliRun, cliAs, jsonOutput, outputLines } from "../support/cli-process";
import { type JobFixture, startJobFixture } from "../support/job-fixture";
import {
  GREETER_PARAMETERS,
  greeterProgram,
  settled,
  TEST_TEMPLATE_INSTALLS,
} from "../support/platform-fixture";

const SERVICE_TOKEN = "platform-cli-service-token-4b8e2d";
const CANARY = "canary-api-key-7d3f91c2";
const STDIN_CANARY = "canary-from-stdin-52ab";
const CREDENTIAL_CANARY = "canary-credential-e61f";

const GREETER_PROGRAM = greeterProgram();

/** The groups of the catalogue's commands and their subcommands (`stacks credentials` has its own). */
const COMMANDS: Record<string, string[]> = {
  templates: ["list", "get", "create", "draft", "publish", "deprecate", "delete"],
  stacks: ["list", "get", "deploy", "preview", "destroy", "history", "credentials"],
  approvals: ["list", "approve", "reject"],
  policies: ["set"],
  constraints: ["list", "set", "remove"],
  tenants: ["list", "create", "members", "add-member", "remove-member"],
  users: ["list", "create"],
  tokens: ["issue", "list", "revoke"],
};

describe("stackwright's catalogue commands against a running service", () => {
  let fx: JobFixture;
  let work: string;
  let programDir: string;
  let parametersFile: string;
  let aliceToken = "";

  /** The CLI as a user with `token` runs it; `extra` is their environment. */
  const as = (token: () => string) => cliAs(() => fx.server.url, token);
  const admin = as(() => SERVICE_TOKEN);
  const alice = as(() => aliceToken);

  before(async () => {
    fx = await startJobFixture({
      stacks: {},
      settings: { templateInstallsDir: TEST_TEMPLATE_INSTALLS },
      server: { token: SERVICE_TOKEN },
    });
    work = mkdtempSync(join(tmpdir(), "stackwright-platform-cli-"));
    programDir = join(work, "greeter");
    // What an install or a stack leaves beside a program, which the template must not take in.
    for (const dir of ["docs", "node_modules/left-over", ".git", "venv/lib"])
      mkdirSync(join(programDir, dir), { recursive: true });
    writeFileSync(join(programDir, "Pulumi.yaml"), GREETER_PROGRAM);
    writeFileSync(join(programDir, "docs", "README.md"), "# Greeter\n");
    writeFileSync(join(programDir, "node_modules", "left-over", "index.js"), "module.exports = 1;\n");
    writeFileSync(join(programDir, ".git", "HEAD"), "ref: refs/heads/main\n");
    writeFileSync(join(programDir, "venv", "lib", "site.py"), "x = 1\n");
    writeFileSync(join(programDir, "Pulumi.dev.yaml"), "config:\n  greeter:greeting: from-a-stack\n");
    parametersFile = join(work, "parameters.json");
    writeFileSync(parametersFile, JSON.stringify(GREETER_PARAMETERS));
  });
  after(async () => {
    await fx?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("has --help, a description, --json and the connection flags on every catalogue command", async () => {
    const program = buildCli(() => {});
    const byName = new Map(program.commands.map((c) => [c.name(), c]));
    const leaves: Command[] = [];
    for (const [group, subcommands] of Object.entries(COMMANDS)) {
      const command = byName.get(group);
      assert.ok(command, `no ${group} command`);
      assert.notEqual(command.description(), "", group);
      assert.deepEqual(
        command.commands.map((c) => c.name()),
        subcommands,
        group,
      );
      for (const sub of command.commands) leaves.push(...(sub.commands.length > 0 ? sub.commands : [sub]));
    }
    const audit = byName.get("audit");
    assert.ok(audit);
    leaves.push(audit);
    assert.equal(leaves.length, 33);
    for (const leaf of leaves) {
      const name = `${leaf.parent?.name()} ${leaf.name()}`;
      assert.notEqual(leaf.description(), "", `${name} has no description`);
      const flags = leaf.options.map((o) => o.long);
      for (const flag of ["--json", "--url", "--token-file"])
        assert.ok(flags.includes(flag), `${name} has no ${flag}`);
      for (const option of leaf.options) assert.notEqual(option.description, "", `${name} ${option.long}`);
    }

    const help = await admin(["stacks", "deploy", "--help"]);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: stackwright stacks deploy \[options\] <name>$/m);
    assert.match(help.stdout, /--secret-param <key=VARIABLE>/);
    const group = await admin(["templates", "--help"]);
    assert.equal(group.code, 0);
    for (const sub of COMMANDS.templates ?? [])
      assert.match(group.stdout, new RegExp(`^  ${sub}\\b.*\\S`, "m"));
  });

  it("tenants, users and tokens: a Provider Admin sets up a tenant, its members and a member's token", async () => {
    assert.deepEqual(
      outputLines((await admin(["tenants", "create", "team-a", "--display-name", "Team A"])).stdout).length,
      1,
    );
    assert.equal((await admin(["tenants", "create", "team-b"])).code, 0);
    for (const user of ["alice", "bob"]) {
      const created = await admin(["users", "create", user]);
      assert.match(created.stdout, new RegExp(`^user ${user} created \\(\\S+\\)$`, "m"), created.stderr);
    }
    assert.deepEqual(
      (await admin(["tenants", "add-member", "team-a", "alice", "--role", "tenant-admin"])).stdout,
      "alice is tenant-admin in team-a\n",
    );
    assert.equal((await admin(["tenants", "add-member", "team-a", "bob", "--role", "read-only"])).code, 0);

    const members = await admin(["tenants", "members", "team-a"]);
    assert.equal(members.code, 0, members.stderr);
    assert.match(members.stdout, /^USER +ROLE +SINCE$/m);
    assert.match(members.stdout, /^alice +tenant-admin +\d{4}-/m);
    assert.match(members.stdout, /^bob +read-only +\d{4}-/m);

    const tenants = jsonOutput<{ tenants: { name: string; displayName: string }[] }>(
      await admin(["tenants", "list", "--json"]),
    );
    assert.deepEqual(
      tenants.tenants.map((t) => [t.name, t.displayName]),
      [
        ["team-a", "Team A"],
        ["team-b", "team-b"],
      ],
    );
    const users = await admin(["users", "list"]);
    assert.match(users.stdout, /^NAME +PROVIDER ADMIN +ID +CREATED$/m);
    assert.match(users.stdout, /^alice +no +\S+ +\d{4}-/m);
    const usersJson = jsonOutput<{ users: { name: string; providerAdmin: boolean }[] }>(
      await admin(["users", "list", "--json"]),
    );
    assert.deepEqual(
      usersJson.users.map((u) => [u.name, u.providerAdmin]),
      [
        ["alice", false],
        ["bob", false],
      ],
    );

    // The token alone on stdout, so `$(stackwright tokens issue …)` captures it; the note on stderr.
    const issued = await admin([
      "tokens",
      "issue",
      "--name",
      "laptop",
      "--user",
      "alice",
      "--expires-in-days",
      "30",
    ]);
    assert.equal(issued.code, 0, issued.stderr);
    assert.equal(outputLines(issued.stdout).length, 1);
    aliceToken = issued.stdout.trim();
    assert.match(aliceToken, /^swt_\S+$/);
    assert.match(issued.stderr, /^stackwright: token \S+ issued, expires \d{4}-.*shown only this once/m);
    assert.ok(!issued.stderr.includes(aliceToken));

    // The token signs alice in: she sees her own tenant only.
    const hers = await alice(["tenants", "list"]);
    assert.equal(hers.code, 0, hers.stderr);
    assert.match(hers.stdout, /^team-a +Team A /m);
    assert.doesNotMatch(hers.stdout, /team-b/);

    const listed = await admin(["tokens", "list", "--user", "alice"]);
    assert.match(listed.stdout, /^ID +NAME +USER +STATE +CREATED +EXPIRES$/m);
    assert.match(listed.stdout, /^\S+ +laptop +alice +active +\d{4}-/m);
    const listedJson = await admin(["tokens", "list", "--user", "alice", "--json"]);
    assert.deepEqual(
      jsonOutput<{ tokens: { name: string }[] }>(listedJson).tokens.map((t) => t.name),
      ["laptop"],
    );
    assert.ok(!listed.stdout.includes(aliceToken) && !listedJson.stdout.includes(aliceToken.slice(-20)));

    assert.equal(
      (await admin(["tenants", "remove-member", "team-a", "bob"])).stdout,
      "bob removed from team-a\n",
    );
    assert.doesNotMatch((await admin(["tenants", "members", "team-a"])).stdout, /^bob /m);
  });

  it("templates: create from a program directory, publish, list, and get with the tenant's parameters", async () => {
    const created = await alice([
      "templates",
      "create",
      "greeter",
      "--language",
      "yaml",
      "--dir",
      programDir,
      "--parameters",
      parametersFile,
      "--owner-tenant",
      "team-a",
      "--display-name",
      "Greeter",
      "--description",
      "Says hello",
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^template greeter created, draft version 1$/m);
    // Only the program's own regular files, by relative path.
    const view = jsonOutput<{ versions: { source: { files: Record<string, string> } }[] }>(
      await alice(["templates", "get", "greeter", "--tenant", "team-a", "--json"]),
    );
    assert.deepEqual(Object.keys(view.versions[0]?.source.files ?? {}).sort(), [
      "Pulumi.yaml",
      "docs/README.md",
    ]);
    assert.equal(view.versions[0]?.source.files["Pulumi.yaml"], GREETER_PROGRAM);

    const published = await alice(["templates", "publish", "greeter"]);
    assert.match(
      published.stdout,
      /^template greeter: version 1 published \(sha256:[0-9a-f]{64}\)$/m,
      published.stderr,
    );

    const listed = await alice(["templates", "list", "--tenant", "team-a"]);
    assert.deepEqual(outputLines(listed.stdout), [
      "NAME     LANGUAGE  OWNER   DISPLAY NAME",
      "greeter  yaml      team-a  Greeter",
    ]);

    const shown = await alice(["templates", "get", "greeter", "--tenant", "team-a"]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^description: +Says hello$/m);
    assert.match(shown.stdout, /^latest published: 1$/m);
    assert.match(shown.stdout, /^ {2}1 +published +\d{4}-\S+ +\d{4}-\S+ +sha256:/m);
    assert.match(shown.stdout, /^ {2}greeting +string +no +no +"hello" +-$/m);
    assert.match(shown.stdout, /^ {2}apiKey +string +yes +yes +- +minLength 8$/m);
  });

  it("constraints: set from a YAML file, listed, and the tenant's parameters narrowed", async () => {
    const file = join(work, "constraint.yaml");
    writeFileSync(file, "maxInstances: 2\nparameters:\n  greeting: { allowedValues: [hi, hello] }\n");
    const set = await admin([
      "constraints",
      "set",
      "--template",
      "greeter",
      "--tenant",
      "team-a",
      "--file",
      file,
    ]);
    assert.equal(set.stdout, "constraint on greeter set for tenant team-a\n", set.stderr);

    const listed = await alice(["constraints", "list", "--tenant", "team-a"]);
    assert.match(listed.stdout, /^TEMPLATE +ALLOWED +MAX INSTANCES +PARAMETERS +UPDATED +BY$/m);
    assert.match(
      listed.stdout,
      /^greeter +yes +2 +greeting: allowedValues \["hi","hello"\] +\d{4}-\S+ +service$/m,
    );
    const listedJson = jsonOutput<{ constraints: { constraint: unknown }[] }>(
      await alice(["constraints", "list", "--tenant", "team-a", "--json"]),
    );
    assert.deepEqual(listedJson.constraints[0]?.constraint, {
      allowed: true,
      maxInstances: 2,
      parameters: { greeting: { allowedValues: ["hi", "hello"] } },
    });
    const effective = jsonOutput<{
      effectiveParameters: { properties: { greeting: { enum: string[] } } };
      maxInstances: number;
    }>(await alice(["templates", "get", "greeter", "--tenant", "team-a", "--json"]));
    assert.deepEqual(effective.effectiveParameters.properties.greeting.enum, ["hi", "hello"]);
    assert.equal(effective.maxInstances, 2);
  });

  it("stacks deploy --watch takes a secret parameter from the environment, never shown, to deployed", async () => {
    const run = await alice(
      [
        "stacks",
        "deploy",
        "web",
        "--tenant",
        "team-a",
        "--template",
        "greeter",
        "--param",
        "greeting=hi",
        "--secret-param",
        "apiKey=GREETER_API_KEY",
        "--watch",
      ],
      { GREETER_API_KEY: CANARY },
    );
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const out = outputLines(run.stdout);
    const deploymentId = out[0] ?? "";
    assert.match(deploymentId, /^[0-9a-f-]{36}$/);
    // Each step as it starts and ends, with its job; each job's progress in between.
    const previewJob = /^step preview running job (\S+)$/m.exec(run.stdout)?.[1] ?? "";
    const jobId = /^step up running job (\S+)$/m.exec(run.stdout)?.[1] ?? "";
    assert.notEqual(previewJob, "", run.stdout);
    assert.notEqual(jobId, "", run.stdout);
    const steps = out.filter((line) => line.startsWith("step "));
    assert.deepEqual(steps, [
      "step validate running",
      "step validate succeeded",
      `step preview running job ${previewJob}`,
      `step preview succeeded job ${previewJob}`,
      `step up running job ${jobId}`,
      `step up succeeded job ${jobId}`,
    ]);
    const at = (line: string) => out.indexOf(line);
    assert.ok(
      at(`step preview running job ${previewJob}`) <
        out.findIndex((line) => line.startsWith(`${previewJob}  succeeded  resources`)),
    );
    assert.ok(
      out.findIndex((line) => line.startsWith(`${previewJob}  succeeded  resources`)) <
        at(`step preview succeeded job ${previewJob}`),
    );
    assert.match(run.stdout, new RegExp(`^${jobId}  running  resources \\d+/\\d+  \\d+s$`, "m"));
    assert.match(run.stdout, new RegExp(`^${jobId}  succeeded  resources 1/1  \\d+s$`, "m"));
    assert.match(run.stdout, /^changes: create 1$/m);
    assert.deepEqual(out.slice(-5), [
      `deployment ${deploymentId} succeeded`,
      "stack web deployed",
      "outputs:",
      '  key: "[secret]"',
      '  message: "hi, tenant"',
    ]);
    for (const text of [run.stdout, run.stderr, run.argv.join("\u0000")])
      assert.ok(!text.includes(CANARY), "the secret parameter shows in the CLI's output or arguments");

    const shown = await alice(["stacks", "get", "web", "--tenant", "team-a"]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^template: +greeter, version 1$/m);
    assert.match(shown.stdout, /^status: +deployed$/m);
    assert.match(shown.stdout, new RegExp(`^last job: +${jobId}$`, "m"));
    assert.match(
      shown.stdout,
      /^parameters:\n {2}greeting: "hi"\noutputs:\n {2}key: "\[secret\]"\n {2}message: "hi, tenant"$/m,
    );
    const stack = jsonOutput<{ status: string; parameters: unknown; outputs: unknown }>(
      await alice(["stacks", "get", "web", "--tenant", "team-a", "--json"]),
    );
    assert.equal(stack.status, "STACK_STATUS_DEPLOYED");
    assert.deepEqual(stack.parameters, { greeting: "hi" });
    assert.deepEqual(stack.outputs, { message: "hi, tenant", key: "[secret]" });
    const listed = await alice(["stacks", "list", "--tenant", "team-a"]);
    assert.match(listed.stdout, /^NAME +TEMPLATE +VERSION +STATUS +DEPLOYED$/m);
    assert.match(listed.stdout, /^web +greeter +1 +deployed +\d{4}-/m);
  });

  it("a secret parameter from standard input; the constraint's refusals, each problem on its line", async () => {
    const fromStdin = await alice(
      [
        "stacks",
        "deploy",
        "web2",
        "--tenant",
        "team-a",
        "--template",
        "greeter",
        "--secret-param",
        "apiKey=-",
        "--json",
      ],
      {},
      `${STDIN_CANARY}\n`,
    );
    assert.ok(!(fromStdin.stdout + fromStdin.stderr).includes(STDIN_CANARY));
    const deployed = jsonOutput<{
      deployment: { id: string; kind: string; status: string; stackName: string; steps: unknown[] };
      stack: { name: string; status: string };
    }>(fromStdin);
    assert.match(deployed.deployment.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(deployed.deployment, {
      ...deployed.deployment,
      kind: "DEPLOYMENT_KIND_DEPLOY",
      status: "DEPLOYMENT_STATUS_RUNNING",
      stackName: "web2",
    });
    assert.deepEqual(deployed.stack, { ...deployed.stack, name: "web2", status: "STACK_STATUS_DEPLOYING" });
    const stack2 = await settled(fx.server, SERVICE_CALLER, "team-a", "web2");
    assert.equal(stack2.status, "deployed", stack2.error ?? "");
    assert.deepEqual(stack2.parameters, { greeting: "hello" });

    const refused = await alice(
      [
        "stacks",
        "deploy",
        "web3",
        "--tenant",
        "team-a",
        "--template",
        "greeter",
        "--param",
        "greeting=bonjour",
        "--param",
        "colour=red",
        "--secret-param",
        "apiKey=SHORT_KEY",
      ],
      { SHORT_KEY: "short" },
    );
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, "");
    const problems = outputLines(refused.stderr);
    assert.ok(problems.length >= 3, refused.stderr);
    for (const line of problems)
      assert.match(line, /^stackwright: error: (parameters|secretParameters)\.\w+: /);
    for (const field of ["parameters.greeting", "parameters.colour", "secretParameters.apiKey"])
      assert.ok(
        problems.some((line) => line.startsWith(`stackwright: error: ${field}: `)),
        `${field}:\n${refused.stderr}`,
      );

    // web and web2 are the tenant's two live stacks of greeter, its limit.
    const third = await alice(
      [
        "stacks",
        "deploy",
        "web3",
        "--tenant",
        "team-a",
        "--template",
        "greeter",
        "--secret-param",
        "apiKey=KEY",
      ],
      { KEY: CANARY },
    );
    assert.equal(third.code, 1);
    assert.match(
      third.stderr,
      /^stackwright: error: template: the tenant has 2 live stacks of greeter, its limit \(maxInstances\)$/m,
    );
    assert.ok(!(refused.stderr + third.stderr).includes(CANARY));
  });

  it("stacks credentials, preview --watch, and destroy --watch to destroyed", async () => {
    const fromEnv = await alice(
      ["stacks", "credentials", "set", "CLOUD_KEY", "--tenant", "team-a", "--from-env", "MY_CLOUD_KEY"],
      {
        MY_CLOUD_KEY: CREDENTIAL_CANARY,
      },
    );
    assert.equal(fromEnv.stdout, "credential CLOUD_KEY set for tenant team-a\n", fromEnv.stderr);
    const fromStdin = await alice(
      ["stacks", "credentials", "set", "CLOUD_REGION", "--tenant", "team-a", "--from-stdin", "--json"],
      {},
      "eu-west-1\n",
    );
    assert.deepEqual(jsonOutput(fromStdin), {});
    const credentials = await alice(["stacks", "credentials", "list", "--tenant", "team-a"]);
    assert.deepEqual(outputLines(credentials.stdout), ["NAME", "CLOUD_KEY", "CLOUD_REGION"]);
    assert.deepEqual(
      jsonOutput(await alice(["stacks", "credentials", "list", "--tenant", "team-a", "--json"])),
      {
        names: ["CLOUD_KEY", "CLOUD_REGION"],
      },
    );
    assert.ok(!(fromEnv.stdout + fromEnv.stderr + credentials.stdout).includes(CREDENTIAL_CANARY));

    const preview = await alice(["stacks", "preview", "web", "--tenant", "team-a", "--watch"]);
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, / {2}succeeded {2}resources/);
    assert.match(preview.stdout, /^changes: same 1$/m);

    // With the template's draft (alice manages greeter): the stack keeps its version.
    const drafted = await alice([
      "templates",
      "draft",
      "greeter",
      "--dir",
      programDir,
      "--parameters",
      parametersFile,
    ]);
    assert.equal(drafted.stdout, "template greeter: draft version 2 saved\n", drafted.stderr);
    const withDraft = await alice([
      "stacks",
      "preview",
      "web",
      "--tenant",
      "team-a",
      "--version",
      "2",
      "--watch",
    ]);
    assert.equal(withDraft.code, 0, withDraft.stderr);
    assert.match(withDraft.stdout, /^step preview succeeded job \S+$/m);
    assert.match(withDraft.stdout, /^deployment \S+ succeeded$/m);
    const missing = await alice(["stacks", "preview", "web", "--tenant", "team-a", "--version", "9"]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, "stackwright: error: version: the stack's template has no version 9\n");
    const web = jsonOutput<{ templateVersion: number }>(
      await alice(["stacks", "get", "web", "--tenant", "team-a", "--json"]),
    );
    assert.equal(web.templateVersion, 1);

    // The stack's history, newest first: each deployment's steps with their jobs.
    const history = await alice(["stacks", "history", "web", "--tenant", "team-a"]);
    assert.equal(history.code, 0, history.stderr);
    const rows = outputLines(history.stdout);
    assert.match(rows[0] ?? "", /^ID +KIND +STATUS +STARTED BY +STARTED +FINISHED +STEPS$/);
    for (const row of [rows[1], rows[2]])
      assert.match(
        row ?? "",
        /^\S+ +preview +succeeded +alice +\d{4}-\S+ +\d{4}-\S+ +preview succeeded job \S+$/,
      );
    assert.match(
      rows[3] ?? "",
      /^\S+ +deploy +succeeded +alice +\d{4}-\S+ +\d{4}-\S+ +validate succeeded, preview succeeded job \S+, up succeeded job \S+$/,
    );
    assert.equal(rows.length, 4);
    const historyJson = jsonOutput<{
      deployments: { kind: string; templateVersion: number; steps: { name: string; jobId: string }[] }[];
    }>(await alice(["stacks", "history", "web", "--tenant", "team-a", "--limit", "2", "--json"]));
    assert.deepEqual(
      historyJson.deployments.map((d) => [d.kind, d.templateVersion, d.steps.map((step) => step.name)]),
      [
        ["DEPLOYMENT_KIND_PREVIEW", 2, ["DEPLOYMENT_STEP_NAME_PREVIEW"]],
        ["DEPLOYMENT_KIND_PREVIEW", 1, ["DEPLOYMENT_STEP_NAME_PREVIEW"]],
      ],
    );

    const destroyed = await alice(["stacks", "destroy", "web", "--tenant", "team-a", "--watch"]);
    assert.equal(destroyed.code, 0, destroyed.stderr);
    assert.match(destroyed.stdout, /^step destroy succeeded job \S+$/m);
    assert.match(destroyed.stdout, /^changes: delete 1$/m);
    assert.equal(outputLines(destroyed.stdout).at(-1), "stack web destroyed");

    // Under --json, progress goes to stderr: stdout is one JSON document.
    const json2 = jsonOutput<{
      deployment: { kind: string; status: string; steps: { name: string; status: string }[] };
      stack: { name: string; status: string; outputs?: unknown };
    }>(await alice(["stacks", "destroy", "web2", "--tenant", "team-a", "--watch", "--json"]));
    assert.equal(json2.stack.status, "STACK_STATUS_DESTROYED");
    assert.equal(json2.stack.name, "web2");
    assert.deepEqual(
      [json2.deployment.kind, json2.deployment.status, json2.deployment.steps.map((s) => [s.name, s.status])],
      [
        "DEPLOYMENT_KIND_DESTROY",
        "DEPLOYMENT_STATUS_SUCCEEDED",
        [["DEPLOYMENT_STEP_NAME_DESTROY", "DEPLOYMENT_STEP_STATUS_SUCCEEDED"]],
      ],
    );

    assert.equal((await alice(["stacks", "list", "--tenant", "team-a"])).stdout, "no stacks\n");
    const all = await alice(["stacks", "list", "--tenant", "team-a", "--all"]);
    assert.match(all.stdout, /^web +greeter +1 +destroyed /m);
    assert.match(all.stdout, /^web2 +greeter +1 +destroyed /m);
  });

  it("templates draft, deprecate and delete", async () => {
    const draft = await alice([
      "templates",
      "draft",
      "greeter",
      "--dir",
      programDir,
      "--parameters",
      parametersFile,
    ]);
    assert.equal(draft.stdout, "template greeter: draft version 2 saved\n", draft.stderr);
    assert.match(
      (await alice(["templates", "publish", "greeter"])).stdout,
      /^template greeter: version 2 published/,
    );
    assert.equal(
      (await alice(["templates", "deprecate", "greeter", "--version", "1"])).stdout,
      "template greeter: version 1 deprecated\n",
    );
    const view = jsonOutput<{ versions: { version: number; state: string }[]; latestPublished: number }>(
      await alice(["templates", "get", "greeter", "--tenant", "team-a", "--json"]),
    );
    assert.deepEqual(
      view.versions.map((v) => [v.version, v.state]),
      [
        [1, "VERSION_STATE_DEPRECATED"],
        [2, "VERSION_STATE_PUBLISHED"],
      ],
    );
    assert.deepEqual(jsonOutput(await alice(["templates", "delete", "greeter", "--json"])), {});
    assert.equal((await alice(["templates", "list", "--tenant", "team-a"])).stdout, "no templates\n");
    const listed = jsonOutput<{ templates: unknown[]; nextPageToken: string }>(
      await alice(["templates", "list", "--tenant", "team-a", "--json"]),
    );
    assert.deepEqual(listed, { templates: [], nextPageToken: "" });
  });

  it("audit shows who changed what, by tenant and time", async () => {
    const log = await alice(["audit", "--tenant", "team-a", "--limit", "500"]);
    assert.equal(log.code, 0, log.stderr);
    assert.match(log.stdout, /^SEQ +AT +ACTOR +TENANT +ACTION +TARGET$/m);
    for (const [actor, action] of [
      ["service", "membership.set"],
      ["service", "constraint.set"],
      ["alice", "template.create"],
      ["alice", "stack.deploy"],
      ["alice", "stack.destroy"],
      ["alice", "credential.set"],
    ])
      assert.match(
        log.stdout,
        new RegExp(`^\\d+ +\\d{4}-\\S+ +${actor} +team-a +${action.replace(".", "\\.")} +\\S+:`, "m"),
      );
    assert.ok(!log.stdout.includes(CANARY) && !log.stdout.includes(CREDENTIAL_CANARY));

    const limited = jsonOutput<{ entries: { seq: string }[] }>(
      await admin(["audit", "--limit", "2", "--json"]),
    );
    assert.deepEqual(
      limited.entries.map((e) => e.seq),
      ["1", "2"],
    );
    assert.equal((await admin(["audit", "--since", "2999-01-01"])).stdout, "no entries\n");
    assert.equal((await admin(["audit", "--until", "2000-01-01T00:00:00Z"])).stdout, "no entries\n");

    const refused = await alice(["audit"]);
    assert.deepEqual(
      [refused.code, refused.stderr],
      [1, "stackwright: error: tenant: name the tenant whose log to read\n"],
    );
  });

  it("tokens revoke: the revoked token is refused from then on", async () => {
    const issued = await alice(["tokens", "issue", "--name", "temporary", "--json"]);
    const { token, info } = jsonOutput<{ token: string; info: { id: string; name: string } }>(issued);
    assert.equal(info.name, "temporary");
    const temporary = as(() => token);
    assert.equal((await temporary(["tenants", "list"])).code, 0);
    assert.match(
      (await alice(["tokens", "list"])).stdout,
      new RegExp(`^${info.id} +temporary +\\S+ +active `, "m"),
    );
    assert.equal((await alice(["tokens", "revoke", info.id])).stdout, `token ${info.id} revoked\n`);
    assert.match(
      (await alice(["tokens", "list"])).stdout,
      new RegExp(`^${info.id} +temporary +\\S+ +revoked \\d{4}-`, "m"),
    );
    const refused = await temporary(["tenants", "list"]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /^stackwright: error: STACKWRIGHT_API_TOKEN: the job service at http:\/\/\S+ refused the API token\n$/,
    );
    assert.ok(!refused.stderr.includes(token));
  });

  it("refuses bad flags by name, exit 1, before anything is sent", async () => {
    const linkDir = join(work, "linked");
    mkdirSync(linkDir, { recursive: true });
    writeFileSync(join(linkDir, "Pulumi.yaml"), GREETER_PROGRAM);
    symlinkSync("/etc/hostname", join(linkDir, "hostname"));
    const listFile = join(work, "list.json");
    writeFileSync(listFile, "[1, 2]");
    const cases: [string[], RegExp][] = [
      [["templates", "list"], /^--tenant: is required$/],
      [
        ["templates", "create", "x", "--language", "cobol", "--dir", programDir],
        /^--language: expected one of typescript, python, yaml$/,
      ],
      [
        ["templates", "create", "x", "--language", "yaml", "--dir", linkDir],
        /^--dir: hostname: is a symbolic link/,
      ],
      [
        ["templates", "create", "x", "--language", "yaml", "--dir", join(work, "none")],
        /^--dir: .* is not a directory$/,
      ],
      [
        ["templates", "create", "x", "--language", "yaml", "--dir", programDir, "--parameters", listFile],
        /^--parameters: .*list\.json: expected an object$/,
      ],
      [
        ["templates", "deprecate", "x", "--version", "one"],
        /^--version: expected a whole number from 1 to 4294967295$/,
      ],
      [["stacks", "deploy", "s", "--tenant", "t"], /^--template: is required$/],
      [
        ["stacks", "preview", "s", "--tenant", "t", "--version", "0"],
        /^--version: expected a whole number from 1 to 4294967295$/,
      ],
      [
        ["stacks", "deploy", "s", "--tenant", "t", "--template", "g", "--param", "=3"],
        /^--param: expected key=value$/,
      ],
      [
        ["stacks", "deploy", "s", "--tenant", "t", "--template", "g", "--param", "a=1", "--param", "a=2"],
        /^--param: a: given more than once$/,
      ],
      [
        [
          "stacks",
          "deploy",
          "s",
          "--tenant",
          "t",
          "--template",
          "g",
          "--secret-param",
          "apiKey=UNSET_VARIABLE_91",
        ],
        /^--secret-param: apiKey: the environment variable named is not set, or empty$/,
      ],
      // A value written where the variable's name goes is refused without being printed back.
      [
        [
          "stacks",
          "deploy",
          "s",
          "--tenant",
          "t",
          "--template",
          "g",
          "--secret-param",
          "apiKey=hunter2-secret!",
        ],
        /^--secret-param: apiKey: expected the name of an environment variable/,
      ],
      [
        ["stacks", "credentials", "set", "X", "--tenant", "t"],
        /^--from-env: give either --from-env VARIABLE or --from-stdin$/,
      ],
      [
        ["constraints", "set", "--template", "g", "--tenant", "t", "--file", join(work, "missing.yaml")],
        /^--file: .*missing\.yaml does not exist$/,
      ],
      [
        ["tenants", "add-member", "t", "u", "--role", "admin"],
        /^--role: expected one of read-only, user, tenant-admin$/,
      ],
      [
        ["tokens", "issue", "--name", "n", "--expires-in-days", "400"],
        /^--expires-in-days: expected a whole number from 1 to 366$/,
      ],
      [["tokens", "issue"], /^--name: is required$/],
      [["audit", "--since", "yesterday"], /^--since: expected an ISO 8601 time/],
      [["audit", "--limit", "0"], /^--limit: expected a whole number/],
    ];
    // Nothing listens there: a command that sent anything would fail with `--url: cannot reach`.
    const unreachable = { STACKWRIGHT_URL: "http://127.0.0.1:9" };
    // Independent processes: run at once.
    const runs = await Promise.all(cases.map(([args]) => admin(args, unreachable)));
    for (const [i, [args, expected]] of cases.entries()) {
      const run = runs[i] as CliRun;
      const what = `${args.join(" ")}\n${run.stderr}`;
      assert.equal(run.code, 1, what);
      assert.equal(run.stdout, "", what);
      const [line, ...more] = outputLines(run.stderr);
      assert.deepEqual(more, [], what);
      assert.match((line ?? "").replace(/^stackwright: error: /, ""), expected, what);
      assert.ok(line?.startsWith("stackwright: error: "), what);
    }
    const secretMistake = await admin(
      [
        "stacks",
        "deploy",
        "s",
        "--tenant",
        "t",
        "--template",
        "g",
        "--secret-param",
        "apiKey=hunter2-secret!",
      ],
      unreachable,
    );
    assert.ok(!secretMistake.stderr.includes("hunter2"));
    // And the check above can tell: a valid command line does try to reach the service.
    const sent = await admin(["tenants", "list"], unreachable);
    assert.match(
      sent.stderr,
      /^stackwright: error: --url: cannot reach the job service at http:\/\/127\.0\.0\.1:9/,
    );
  });

  it("prints the service's refusals one problem a line, naming the field, and exits 1", async () => {
    const file = join(work, "bad-constraint.yaml");
    writeFileSync(file, "maxInstances: -1\nfoo: 1\nparameters:\n  nope: { minimum: 1 }\n");
    // greeter is deleted; hello is the provider's.
    const hello = join(work, "hello");
    mkdirSync(hello, { recursive: true });
    writeFileSync(join(hello, "Pulumi.yaml"), "name: hello\nruntime: yaml\noutputs:\n  text: ${nope}\n");
    const badProgram = await admin(["templates", "create", "hello", "--language", "yaml", "--dir", hello]);
    assert.equal(badProgram.code, 1);
    assert.match(badProgram.stderr, /^stackwright: error: files\/Pulumi\.yaml:4:\d+: .*nope/m);
    writeFileSync(join(hello, "Pulumi.yaml"), "name: hello\nruntime: yaml\noutputs:\n  text: hello\n");
    assert.equal(
      (await admin(["templates", "create", "hello", "--language", "yaml", "--dir", hello])).code,
      0,
    );

    const refused = await admin([
      "constraints",
      "set",
      "--template",
      "hello",
      "--tenant",
      "team-a",
      "--file",
      file,
    ]);
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, "");
    assert.deepEqual(
      outputLines(refused.stderr).map((line) => /^stackwright: error: (\S+?): /.exec(line)?.[1]),
      ["constraint.foo", "constraint.maxInstances", "constraint.parameters.nope"],
    );
    // Nothing stored: team-a keeps only the constraint it had, on greeter.
    const kept = jsonOutput<{ constraints: unknown[] }>(
      await admin(["constraints", "list", "--tenant", "team-a", "--json"]),
    );
    assert.equal(kept.constraints.length, 1);

    const missing = await alice(["stacks", "get", "nope", "--tenant", "team-a"]);
    assert.deepEqual(
      [missing.code, missing.stdout, missing.stderr],
      [1, "", "stackwright: error: name: no stack nope\n"],
    );
    const denied = await alice(["users", "create", "mallory"]);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /^stackwright: error: \S+: /);
    assert.doesNotMatch((await admin(["users", "list"])).stdout, /mallory/);
  });
});
