/**
 * Deployment workflow benchmark (npm run bench:deployments).
 *
 * 1. Overhead: the deploy workflow without an approval gate (validate → preview saving its plan →
 *    up of that plan → record, each engine step a job of the job service, on the embedded
 *    Temporal dev server), wall time from the request to the recorded stack; the baseline is the
 *    same first deploy of a new stack done by hand with the CLI on a file backend, in the same
 *    run: `pulumi stack init`, `pulumi config set`, `pulumi preview`, then `pulumi up --yes` (which
 *    previews again, as the workflow's up of a plan does). Target: ratio of medians <= 1.15.
 *    BENCH_BREAKDOWN=1 prints each round's steps and their jobs' queue and run times.
 * 2. Approval latency: from an approver's decision to the start of the up step. Target: <= 1 s.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { parseServiceConfig } from "../src/jobs/config/service-config";
import { SERVICE_CALLER } from "../src/jobs/domain/caller";
import { TERMINAL_DEPLOYMENT_STATUSES } from "../src/jobs/domain/deployment";
import { startJobServer } from "../src/jobs/start-job-server";
import { fmt, median } from "./stats";

const run = promisify(execFile);
const ROUNDS = 5;

/** Five resources the engine creates without a provider plugin, and an output. */
const PROGRAM = [
  "name: bench",
  "runtime: yaml",
  "config:",
  "  label:",
  "    type: string",
  "resources:",
  ...[1, 2, 3, 4, 5].flatMap((i) => [
    `  item${i}:`,
    "    type: pulumi:index:Stash",
    "    properties:",
    `      input: \${label}-${i}`,
  ]),
  "outputs:",
  "  first: ${item1.output}",
  "",
].join("\n");

async function directPreviewAndUp(root: string, round: number): Promise<number> {
  const dir = join(root, `direct-${round}`);
  rmSync(dir, { recursive: true, force: true });
  const state = join(dir, "state");
  const env = {
    ...process.env,
    PULUMI_BACKEND_URL: pathToFileURL(state).href,
    PULUMI_CONFIG_PASSPHRASE: "bench",
    PULUMI_SKIP_UPDATE_CHECK: "true",
  };
  await run("mkdir", ["-p", dir, state]);
  writeFileSync(join(dir, "Pulumi.yaml"), PROGRAM);
  // The same work as the workflow's first deploy of a stack: create it, configure it, preview, up.
  const start = performance.now();
  await run("pulumi", ["stack", "init", "organization/bench/dev", "--non-interactive"], { cwd: dir, env });
  await run("pulumi", ["config", "set", "label", "direct", "--stack", "dev"], { cwd: dir, env });
  await run("pulumi", ["preview", "--stack", "dev", "--non-interactive"], { cwd: dir, env });
  await run("pulumi", ["up", "--yes", "--stack", "dev", "--non-interactive"], { cwd: dir, env });
  return performance.now() - start;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "stackwright-bench-deployments-"));
  const config = parseServiceConfig(
    { dataDir: join(root, "data"), tenantSandbox: "bubblewrap" },
    root,
    process.env,
  );
  const server = await startJobServer({ config, pollMs: 50 });
  try {
    const { governance, catalogue, stacks } = server.platform;
    await governance.createTenant(SERVICE_CALLER, { name: "bench" });
    await catalogue.createTemplate(SERVICE_CALLER, {
      name: "bench",
      language: "yaml",
      source: {
        files: { "Pulumi.yaml": PROGRAM },
        dependencies: {},
        parameters: { type: "object", properties: { label: { type: "string", default: "x" } } },
      },
    });
    await catalogue.publish(SERVICE_CALLER, "bench");

    const settle = async (deploymentId: string, until = TERMINAL_DEPLOYMENT_STATUSES) => {
      for (;;) {
        const d = await stacks.deployment(SERVICE_CALLER, { tenant: "bench", deploymentId });
        if (until.has(d.status)) return d;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const workflow: number[] = [];
    const direct: number[] = [];
    // One warm-up of each, not counted: the first run of the engine and the worker pays for loading.
    for (let round = 0; round <= ROUNDS; round++) {
      const start = performance.now();
      const { deployment } = await stacks.deploy(SERVICE_CALLER, {
        tenant: "bench",
        name: `wf-${round}`,
        template: "bench",
        parameters: { label: "workflow" },
      });
      const done = await settle(deployment.id);
      if (done.status !== "succeeded") throw new Error(`deployment ${done.status}: ${done.error}`);
      const elapsed = performance.now() - start;
      if (process.env.BENCH_BREAKDOWN) {
        const parts: string[] = [];
        for (const step of done.steps) {
          const job = step.jobId === null ? undefined : await server.service.get(step.jobId);
          parts.push(
            `${step.name} ${(step.finishedAt ?? 0) - step.startedAt} ms` +
              (job
                ? ` (queued ${(job.startedAt ?? 0) - job.createdAt} ms, ran ${(job.finishedAt ?? 0) - (job.startedAt ?? 0)} ms)`
                : ""),
          );
        }
        console.log(
          `round ${round}: ${fmt(elapsed)}: ${parts.join(", ")}; first step at +${done.steps[0] ? done.steps[0].startedAt - done.createdAt : 0} ms, recorded at +${(done.finishedAt ?? 0) - done.createdAt} ms`,
        );
      }
      const baseline = await directPreviewAndUp(root, round);
      if (round > 0) {
        workflow.push(elapsed);
        direct.push(baseline);
      }
    }

    await stacks.setDeployPolicy(SERVICE_CALLER, {
      scope: "tenant",
      ref: "bench",
      policy: { requireApproval: true, approverRole: "tenant-admin" },
    });
    await governance.createUser(SERVICE_CALLER, { name: "approver" });
    await governance.setMembership(SERVICE_CALLER, {
      tenant: "bench",
      user: "approver",
      role: "tenant-admin",
    });
    const { token } = await governance.issueToken(SERVICE_CALLER, { user: "approver", name: "bench" });
    const approver = await server.platform.authenticator.authenticate(token);
    const latency: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const { deployment } = await stacks.deploy(SERVICE_CALLER, {
        tenant: "bench",
        name: `gated-${round}`,
        template: "bench",
      });
      await settle(deployment.id, new Set(["awaiting_approval"]));
      const decided = Date.now();
      await stacks.decide(approver, { tenant: "bench", deploymentId: deployment.id, decision: "approved" });
      const done = await settle(deployment.id);
      const up = done.steps.find((s) => s.name === "up");
      if (done.status !== "succeeded" || up === undefined) throw new Error(`gated deployment ${done.status}`);
      latency.push(up.startedAt - decided);
    }

    const ratio = median(workflow) / median(direct);
    console.log(`deploy workflow (no approval), median of ${ROUNDS}: ${fmt(median(workflow))}`);
    console.log(`direct pulumi preview + up (baseline), median of ${ROUNDS}: ${fmt(median(direct))}`);
    console.log(`ratio: ${ratio.toFixed(2)} (target <= 1.15) ${ratio <= 1.15 ? "MET" : "MISSED"}`);
    console.log(
      `approval -> up start, median of ${ROUNDS}: ${fmt(median(latency))}, max ${fmt(Math.max(...latency))} (target <= 1000 ms) ${Math.max(...latency) <= 1000 ? "MET" : "MISSED"}`,
    );
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
