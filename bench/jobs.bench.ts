/**
 * Job service benchmark (npm run bench:jobs), against the real engine.
 *
 * 1. Overhead: `pulumi up` of the same small project run directly with the CLI, against the
 *    same update run as a job of the service (from deploy to the job's end as a client sees it),
 *    interleaved in one run, each on its own stack. Target: ratio of medians <= 1.10.
 * 2. Start latency: from DeployCloudResource (HTTP/JSON) to the job's `running` status event on an
 *    idle service. Target: <= 100 ms.
 * 3. GetStackUpdate over HTTP/JSON with 200 concurrent pollers: p50 and p99. Target: p99 <= 25 ms.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireEngine } from "../src/engine/isolated-engine";
import { loadOrCreateApiToken } from "../src/jobs/api-token";
import { EMBEDDED_STACKS, embeddedServiceConfig } from "../src/jobs/embedded-defaults";
import { type JobServer, startJobServer } from "../src/jobs/job-server";
import type { Job } from "../src/jobs/model";
import { baseEngineEnvironment } from "../src/jobs/stack-environment";
import { fmt, median, percentile } from "./stats";

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const POLLERS = 200;
const POLLS_PER_POLLER = Number(process.env.BENCH_POLLS ?? 10);

async function untilDone(server: JobServer, id: string): Promise<Job> {
  for await (const _event of server.service.watch(id, 0)) {
    // Drain: the watch ends at the terminal status.
  }
  return server.service.get(id);
}

export async function overhead(
  server: JobServer,
  dataDir: string,
): Promise<{ direct: number[]; job: number[] }> {
  const [jobStack] = EMBEDDED_STACKS;
  const config = server.config;
  const stack = config.stacks.get(jobStack) as NonNullable<ReturnType<typeof config.stacks.get>>;
  const project = mkdtempSync(join(tmpdir(), "stackwright-bench-direct-"));
  cpSync(join(dataDir, "workloads", "hello"), project, { recursive: true });
  const env = {
    ...baseEngineEnvironment(),
    PULUMI_BACKEND_URL: stack.backend,
    PULUMI_CONFIG_PASSPHRASE_FILE: "fromFile" in stack.passphrase ? stack.passphrase.fromFile : "",
  };
  const cli = (args: string[]) => {
    const r = spawnSync("pulumi", [...args, "--non-interactive"], { cwd: project, env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")}: ${r.stderr}`);
  };
  cli(["stack", "select", "--create", "organization/hello/direct"]);
  cli(["config", "set", "greeting", "hello"]);
  const direct: number[] = [];
  const job: number[] = [];
  // One unmeasured run of each creates the resources; the measured runs update nothing, alike.
  for (let i = 0; i <= RUNS; i++) {
    let start = performance.now();
    cli(["up", "--yes", "--skip-preview", "--stack", "organization/hello/direct"]);
    if (i > 0) direct.push(performance.now() - start);
    start = performance.now();
    const queued = await server.service.deploy({ stack: jobStack, operation: "up" });
    const done = await untilDone(server, queued.id);
    if (done.status !== "succeeded") throw new Error(`job ${done.id} ${done.status}: ${done.error}`);
    if (i > 0) job.push(performance.now() - start);
  }
  rmSync(project, { recursive: true, force: true });
  return { direct, job };
}

async function post(url: string, token: string, method: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${url}/stackwright.jobs.v1.StackJobs/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function startLatency(server: JobServer, url: string, token: string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = Date.now();
    const response = (await post(url, token, "DeployCloudResource", {
      stack: EMBEDDED_STACKS[1],
      operation: "preview",
    })) as { update: { id: string } };
    const id = response.update.id;
    let runningAt: number | undefined;
    for await (const event of server.service.watch(id, 0)) {
      if (event.kind === "status" && event.data.status === "running") runningAt ??= event.at;
    }
    samples.push((runningAt as number) - start);
  }
  return samples;
}

async function pollLatency(url: string, token: string, id: string): Promise<number[]> {
  const samples: number[] = [];
  await Promise.all(
    Array.from({ length: POLLERS }, async () => {
      for (let i = 0; i < POLLS_PER_POLLER; i++) {
        const start = performance.now();
        await post(url, token, "GetStackUpdate", { id });
        samples.push(performance.now() - start);
      }
    }),
  );
  return samples;
}

async function main(): Promise<void> {
  await requireEngine();
  const dataDir = mkdtempSync(join(tmpdir(), "stackwright-bench-jobs-"));
  const config = embeddedServiceConfig(dataDir);
  const token = loadOrCreateApiToken(dataDir, {});
  const server = await startJobServer({ config, token, port: 0 });
  try {
    const url = server.url as string;
    const { direct, job } = await overhead(server, dataDir);
    const ratio = median(job) / median(direct);
    console.log(`overhead (${RUNS} interleaved runs of an unchanged 'up', 3 resources):`);
    console.log(`  pulumi up directly   median ${fmt(median(direct))}`);
    console.log(`  as a job             median ${fmt(median(job))}`);
    console.log(`  ratio of medians     ${ratio.toFixed(3)}  (target <= 1.10)`);

    const starts = await startLatency(server, url, token);
    console.log(`DeployCloudResource -> running on an idle service (${RUNS} runs):`);
    console.log(`  median ${fmt(median(starts))}, max ${fmt(Math.max(...starts))}  (target <= 100 ms)`);

    const anyJob = (await server.service.list({ pageSize: 1 })).jobs[0] as Job;
    const polls = await pollLatency(url, token, anyJob.id);
    console.log(`GetStackUpdate over HTTP/JSON, ${POLLERS} concurrent pollers x ${POLLS_PER_POLLER}:`);
    console.log(
      `  p50 ${fmt(percentile(polls, 50))}, p99 ${fmt(percentile(polls, 99))}  (target p99 <= 25 ms)`,
    );
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module)
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
