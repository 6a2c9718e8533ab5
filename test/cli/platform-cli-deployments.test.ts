import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { PlatformClient } from "../../src/jobs/api/client";
import { Language } from "../../src/jobs/api/gen/stackwright/platform/v1/platform_pb";
import { type CliRun, cliAs, jsonOutput, outputLines } from "../support/cli-process";
import type { JobFixture } from "../support/job-fixture";
import { servedPlatform } from "../support/served-platform";

const SERVICE_TOKEN = "deployments-cli-service-token-9a41c7";

/** A YAML program with no resources, and one whose preview fails: a configuration value is never set. */
const program = (yaml: string) => ({
  files: { "Pulumi.yaml": yaml },
  dependencies: {},
  parameters: { type: "object", properties: {} },
});
const GATED = program("name: gated\nruntime: yaml\noutputs:\n  message: hello\n");
const BROKEN = program(
  "name: broken\nruntime: yaml\nconfig:\n  missing:\n    type: string\noutputs:\n  message: ${missing}\n",
);

describe("stackwright's deployment and approval commands against a running service", () => {
  let fx: JobFixture;
  let api: PlatformClient;
  let aliceToken = "";

  /** The CLI as a user with `token` runs it; `extra` is their environment. */
  const as = (token: () => string) => cliAs(() => fx.server.url, token);
  const admin = as(() => SERVICE_TOKEN);
  /** team-a's Tenant Admin. */
  const alice = as(() => aliceToken);

  /** Waits until a deployment of `stack` waits for approval, and returns its id. */
  async function pendingOf(stack: string): Promise<string> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { deployments } = await api.stacks.listPendingApprovals({ tenant: "team-a" });
      const found = deployments.find((d) => d.stackName === stack);
      if (found !== undefined) return found.id;
      assert.ok(Date.now() < deadline, `no pending approval of ${stack} after 2 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  before(async () => {
    ({
      fx,
      api,
      memberToken: aliceToken,
    } = await servedPlatform(SERVICE_TOKEN, { tenant: "team-a", user: "alice" }));
    for (const [name, source] of [
      ["gated", GATED],
      ["broken", BROKEN],
    ] as const) {
      await api.catalog.createTemplate({ name, language: Language.YAML, ownerTenant: "team-a", source });
      await api.catalog.publishTemplate({ template: name });
    }
  });
  after(async () => fx?.close());

  it("policies set: a template's deploys wait for a Tenant Admin's approval", async () => {
    const set = await alice([
      "policies",
      "set",
      "--template",
      "gated",
      "--require-approval",
      "--approver-role",
      "tenant-admin",
      "--approval-timeout",
      "1d12h",
      "--on-failure",
      "keep",
    ]);
    assert.equal(
      set.stdout,
      "deploy policy of template gated set: deploys wait for approval by tenant-admin (or a role above) " +
        "for at most 1d12h; when a first deploy's up fails: keep\n",
      set.stderr,
    );
    const tenantPolicy = jsonOutput<Record<string, unknown>>(
      await alice(["policies", "set", "--tenant", "team-a", "--on-failure", "destroy", "--json"]),
    );
    assert.deepEqual(tenantPolicy, {
      requireApproval: false,
      approverRole: "ROLE_TENANT_ADMIN",
      approvalTimeoutSeconds: 604800,
      onFailure: "FAILURE_POLICY_DESTROY",
    });
    // The service's refusal, naming the field: a template of the provider's is Provider Admin's.
    await api.catalog.createTemplate({ name: "providers", language: Language.YAML, source: GATED });
    const refused = await alice(["policies", "set", "--template", "providers", "--require-approval"]);
    assert.deepEqual(
      [refused.code, refused.stdout, refused.stderr],
      [1, "", "stackwright: error: template: only a Provider Admin manages this template\n"],
    );
  });

  it("stacks deploy --watch stops at the approval gate saying how to decide; approvals list, approve --watch, history", async () => {
    const run = await alice([
      "stacks",
      "deploy",
      "web",
      "--tenant",
      "team-a",
      "--template",
      "gated",
      "--watch",
    ]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const out = outputLines(run.stdout);
    const id = out[0] ?? "";
    assert.match(id, /^[0-9a-f-]{36}$/);
    const previewJob = /^step preview running job (\S+)$/m.exec(run.stdout)?.[1] ?? "";
    assert.deepEqual(
      out.filter((line) => line.startsWith("step ")),
      [
        "step validate running",
        "step validate succeeded",
        `step preview running job ${previewJob}`,
        `step preview succeeded job ${previewJob}`,
        "step approval running",
      ],
    );
    const gate = out.slice(out.indexOf(`deployment ${id} awaiting_approval`));
    assert.equal(gate.length, 7, run.stdout);
    assert.match(gate[1] ?? "", /^ {2}plan: {10}sha256:[0-9a-f]{64}$/);
    const plan = (gate[1] ?? "").split(/ +/)[2] ?? "";
    assert.equal(gate[2], "  approver role: tenant-admin (not alice, who started it)");
    assert.match(gate[3] ?? "", /^ {2}expires: {7}\d{4}-\S+Z$/);
    assert.deepEqual(gate.slice(4), [
      `approve: stackwright approvals approve ${id} --tenant team-a [--comment TEXT]`,
      `reject:  stackwright approvals reject ${id} --tenant team-a [--comment TEXT]`,
      "not waiting for the decision (--wait-for-approval waits); see the deployment in `stackwright stacks history web --tenant team-a`",
    ]);

    const listed = await alice(["approvals", "list", "--tenant", "team-a"]);
    assert.deepEqual(outputLines(listed.stdout).length, 2, listed.stderr);
    assert.match(
      listed.stdout,
      /^DEPLOYMENT +STACK +STARTED BY +APPROVER ROLE +PLAN +POLICY FINDINGS +REQUESTED +EXPIRES$/m,
    );
    assert.match(
      listed.stdout,
      new RegExp(`^${id} +web +alice +tenant-admin +${plan} +- +\\d{4}-\\S+ +\\d{4}-\\S+$`, "m"),
    );
    const listedJson = jsonOutput<{
      deployments: { id: string; status: string; approval: { decision: string; approverRole: string } }[];
    }>(await alice(["approvals", "list", "--tenant", "team-a", "--json"]));
    assert.deepEqual(
      listedJson.deployments.map((d) => [d.id, d.status, d.approval.decision, d.approval.approverRole]),
      [[id, "DEPLOYMENT_STATUS_AWAITING_APPROVAL", "APPROVAL_DECISION_UNSPECIFIED", "ROLE_TENANT_ADMIN"]],
    );

    const own = await alice(["approvals", "approve", id, "--tenant", "team-a"]);
    assert.deepEqual(
      [own.code, own.stdout, own.stderr],
      [
        1,
        "",
        "stackwright: error: deploymentId: you started this deployment: someone else must approve or reject it\n",
      ],
    );

    // Someone else approves, and follows the rest: the steps that ran already once, then the up.
    const approved = await admin([
      "approvals",
      "approve",
      id,
      "--tenant",
      "team-a",
      "--comment",
      "reviewed: no resources",
      "--watch",
    ]);
    assert.equal(approved.code, 0, approved.stderr + approved.stdout);
    const followed = outputLines(approved.stdout);
    assert.equal(followed[0], `deployment ${id} approved (plan ${plan})`);
    const upJob = /^step up running job (\S+)$/m.exec(approved.stdout)?.[1] ?? "";
    assert.deepEqual(
      followed.filter((line) => line.startsWith("step ")),
      [
        "step validate succeeded",
        `step preview succeeded job ${previewJob}`,
        "step approval succeeded: approved by service: reviewed: no resources",
        `step up running job ${upJob}`,
        `step up succeeded job ${upJob}`,
      ],
    );
    assert.match(approved.stdout, new RegExp(`^${upJob}  succeeded  resources \\d+/\\d+  \\d+s$`, "m"));
    assert.ok(!approved.stdout.includes(`${previewJob}  `), "the preview's progress is not shown again");
    assert.equal(followed.at(-1), `deployment ${id} succeeded`);
    assert.equal((await alice(["approvals", "list", "--tenant", "team-a"])).stdout, "no pending approvals\n");

    const history = await alice(["stacks", "history", "web", "--tenant", "team-a"]);
    assert.match(
      history.stdout,
      new RegExp(
        `^${id} +deploy +succeeded +alice +\\S+ +\\S+ +validate succeeded, preview succeeded job ${previewJob}, ` +
          `approval succeeded, up succeeded job ${upJob}$`,
        "m",
      ),
      history.stderr,
    );
    const stack = await alice(["stacks", "get", "web", "--tenant", "team-a"]);
    assert.match(stack.stdout, /^status: +deployed$/m);
    assert.match(stack.stdout, new RegExp(`^last job: +${upJob}$`, "m"));
    const audit = await alice(["audit", "--tenant", "team-a"]);
    for (const action of ["deploy-policy.set", "deployment.approval.requested", "deployment.approved"])
      assert.match(audit.stdout, new RegExp(` ${action.replaceAll(".", "\\.")} `), audit.stdout);
  });

  it("--wait-for-approval follows through the decision: a rejection exits 1 naming the deployment", async () => {
    const waiting = alice([
      "stacks",
      "deploy",
      "web2",
      "--tenant",
      "team-a",
      "--template",
      "gated",
      "--wait-for-approval",
    ]);
    const id = await pendingOf("web2");
    const rejected = await admin(["approvals", "reject", id, "--tenant", "team-a", "--comment", "not today"]);
    assert.match(
      rejected.stdout,
      new RegExp(`^deployment ${id} rejected \\(plan sha256:[0-9a-f]{64}\\)\\n$`),
      rejected.stderr,
    );
    const run = await waiting;
    assert.equal(run.code, 1, run.stdout);
    const out = outputLines(run.stdout);
    assert.equal(out[0], id);
    assert.ok(out.includes(`deployment ${id} awaiting_approval`), run.stdout);
    assert.ok(out.includes("waiting for the decision (--wait-for-approval)"), run.stdout);
    assert.equal(out.at(-1), "step approval failed: rejected by service: not today");
    assert.equal(run.stderr, `stackwright: error: deployment ${id}: rejected: the plan was rejected\n`);
    const history = await alice(["stacks", "history", "web2", "--tenant", "team-a", "--json"]);
    const { deployments } = jsonOutput<{
      deployments: { status: string; approval: { decision: string; comment: string } }[];
    }>(history);
    assert.deepEqual(
      deployments.map((d) => [d.status, d.approval.decision, d.approval.comment]),
      [["DEPLOYMENT_STATUS_REJECTED", "APPROVAL_DECISION_REJECTED", "not today"]],
    );
    // Nothing was applied: a stack never deployed is back to pending.
    assert.match(
      (await alice(["stacks", "get", "web2", "--tenant", "team-a"])).stdout,
      /^status: +pending$/m,
    );

    // Under --json, stdout is one document: the operation as it was when following stopped.
    const gated = jsonOutput<{ deployment: { id: string; status: string }; stack: { name: string } }>(
      await alice([
        "stacks",
        "deploy",
        "web3",
        "--tenant",
        "team-a",
        "--template",
        "gated",
        "--watch",
        "--json",
      ]),
    );
    assert.deepEqual(
      [gated.deployment.status, gated.stack.name],
      ["DEPLOYMENT_STATUS_AWAITING_APPROVAL", "web3"],
    );
    await api.stacks.rejectDeployment({ tenant: "team-a", deploymentId: gated.deployment.id });
  });

  it("a failed deployment exits 1 with its step's reason; one already decided or unknown is refused by name", async () => {
    const run = await alice([
      "stacks",
      "deploy",
      "bad",
      "--tenant",
      "team-a",
      "--template",
      "broken",
      "--watch",
    ]);
    assert.equal(run.code, 1, run.stdout);
    const id = outputLines(run.stdout)[0] ?? "";
    assert.match(run.stdout, /^step preview failed job \S+: .*missing configuration value 'missing'/m);
    assert.match(
      run.stderr,
      new RegExp(
        `^stackwright: error: deployment ${id}: failed: preview failed: .*missing configuration value 'missing'\\n$`,
      ),
    );
    assert.match(
      (await alice(["stacks", "history", "bad", "--tenant", "team-a"])).stdout,
      new RegExp(`^${id} +deploy +failed `, "m"),
    );

    const decided = await admin(["approvals", "approve", id, "--tenant", "team-a"]);
    assert.deepEqual(
      [decided.code, decided.stderr],
      [1, `stackwright: error: deploymentId: deployment ${id} is failed, not awaiting approval\n`],
    );
    const unknown = await alice(["approvals", "reject", "nope", "--tenant", "team-a"]);
    assert.equal(unknown.stderr, "stackwright: error: deploymentId: no deployment nope\n");
  });

  it("refuses bad flags by name, exit 1, before anything is sent", async () => {
    const cases: [string[], RegExp][] = [
      [["stacks", "history", "web"], /^--tenant: is required$/],
      [
        ["stacks", "history", "web", "--tenant", "t", "--limit", "0"],
        /^--limit: expected a whole number from 1 to 500$/,
      ],
      [["approvals", "list"], /^--tenant: is required$/],
      [["approvals", "approve", "d"], /^--tenant: is required$/],
      [
        ["approvals", "reject", "d", "--tenant", "t", "--comment", "x".repeat(2001)],
        /^--comment: at most 2000 characters$/,
      ],
      [["policies", "set"], /^--template: give either --template TEMPLATE or --tenant TENANT$/],
      [["policies", "set", "--template", "g", "--tenant", "t"], /^--template: give either/],
      [
        ["policies", "set", "--tenant", "t", "--approver-role", "user"],
        /^--approver-role: applies only with --require-approval$/,
      ],
      [
        ["policies", "set", "--tenant", "t", "--require-approval", "--approver-role", "read-only"],
        /^--approver-role: expected one of user, tenant-admin, provider-admin$/,
      ],
      [
        ["policies", "set", "--tenant", "t", "--require-approval", "--approval-timeout", "2"],
        /^--approval-timeout: expected a duration from 1s to 90d/,
      ],
      [
        ["policies", "set", "--tenant", "t", "--require-approval", "--approval-timeout", "91d"],
        /^--approval-timeout: expected a duration from 1s to 90d/,
      ],
      [
        ["policies", "set", "--tenant", "t", "--on-failure", "maybe"],
        /^--on-failure: expected one of destroy, keep$/,
      ],
    ];
    const unreachable = { STACKWRIGHT_URL: "http://127.0.0.1:9" };
    const runs = await Promise.all(cases.map(([args]) => admin(args, unreachable)));
    for (const [i, [args, expected]] of cases.entries()) {
      const run = runs[i] as CliRun;
      const what = `${args.join(" ").slice(0, 200)}\n${run.stderr}`;
      assert.equal(run.code, 1, what);
      assert.equal(run.stdout, "", what);
      const [line, ...more] = outputLines(run.stderr);
      assert.deepEqual(more, [], what);
      assert.ok(line?.startsWith("stackwright: error: "), what);
      assert.match((line ?? "").replace(/^stackwright: error: /, ""), expected, what);
    }
    for (const command of [
      ["stacks", "history"],
      ["approvals", "list"],
      ["approvals", "approve"],
      ["approvals", "reject"],
      ["policies", "set"],
    ]) {
      const help = await admin([...command, "--help"]);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, new RegExp(`^Usage: stackwright ${command.join(" ")} \\[options\\]`, "m"));
    }
  });
});
