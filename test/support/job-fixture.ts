import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toYaml } from "../../src/core/yaml";
import { parseServiceConfig } from "../../src/jobs/config/service-config";
import type { Job, JobEvent } from "../../src/jobs/domain/job";
import { type JobServer, type JobServerOptions, startJobServer } from "../../src/jobs/start-job-server";
import { requireEngine } from "./isolated-engine";
import { REPO_ROOT } from "./paths";
import { sharedTemporalSettings } from "./temporal";

/** The testkit provider plugin (test/fixtures/testkit-provider): slow, failing and secret-echoing resources. */
export const TESTKIT_BIN = join(REPO_ROOT, "test", "fixtures", "testkit-provider", "bin");

/** A Pulumi YAML project of `sleeps` Sleep resources of `ms` each, and a Stash. */
export function sleepyProject(name: string, sleeps: number, ms: number): Record<string, unknown> {
  const resources: Record<string, unknown> = {
    marker: { type: "pulumi:index:Stash", properties: { input: "${pulumi.stack}" } },
  };
  for (let i = 0; i < sleeps; i++)
    resources[`sleep${i}`] = { type: "testkit:index:Sleep", properties: { durationMs: ms, note: `n${i}` } };
  return { name, runtime: "yaml", resources, outputs: { marker: "${marker.output}" } };
}

export interface JobFixture {
  readonly dir: string;
  readonly server: JobServer;
  /** The text of every file of the file backend (checkpoints, history, backups). */
  stateFiles(): string[];
  /** The text of every stack settings file (Pulumi.<stack>.yaml) the service keeps for its stacks. */
  stackConfigFiles(): string[];
  /** Every file of the users' project directories, path → content: the service must not change them. */
  projectFiles(): Record<string, string>;
  close(): Promise<void>;
}

export interface FixtureSpec {
  /** Workload name → Pulumi.yaml content (project workloads) or a raw workload entry. */
  readonly projects?: Record<string, Record<string, unknown>>;
  readonly workloads?: Record<string, unknown>;
  /** Stack name → stack settings; `passphrase` defaults to a file of its own, `pluginPaths` to the testkit. */
  readonly stacks: Record<string, Record<string, unknown>>;
  readonly settings?: Record<string, unknown>;
  readonly server?: Partial<JobServerOptions>;
  readonly env?: NodeJS.ProcessEnv;
}

export function writeFixtureConfig(
  spec: FixtureSpec,
  dir = mkdtempSync(join(tmpdir(), "stackwright-jobs-")),
) {
  const workloads: Record<string, unknown> = { ...spec.workloads };
  for (const [name, project] of Object.entries(spec.projects ?? {})) {
    const projectDir = join(dir, "projects", name);
    mkdirSync(projectDir, { recursive: true });
    writeFileSync(join(projectDir, "Pulumi.yaml"), toYaml(project));
    workloads[name] = { project: projectDir };
  }
  const stacks: Record<string, unknown> = {};
  for (const [name, settings] of Object.entries(spec.stacks)) {
    const passphraseFile = join(dir, `${name.replaceAll("/", "-")}.passphrase`);
    writeFileSync(passphraseFile, `passphrase-of-${name}`, { mode: 0o600 });
    stacks[name] = { passphrase: { fromFile: passphraseFile }, pluginPaths: [TESTKIT_BIN], ...settings };
  }
  const raw = { dataDir: join(dir, "data"), cancelGraceSeconds: 2, ...spec.settings, workloads, stacks };
  const file = join(dir, "stackwright-jobs.yaml");
  writeFileSync(file, toYaml(raw));
  return { dir, file, raw };
}

/** A job service on a fresh data directory, run in this process, with its engine checked first. */
export async function startJobFixture(spec: FixtureSpec): Promise<JobFixture> {
  await requireEngine();
  // Every service runs its deployments on the test run's Temporal, each on a task queue of its own.
  const { dir, raw } = writeFixtureConfig({
    ...spec,
    settings: { temporal: await sharedTemporalSettings("jobs"), ...spec.settings },
  });
  const config = parseServiceConfig(raw, dir, spec.env ?? process.env);
  const server = await startJobServer({
    config,
    pollMs: 100,
    ...spec.server,
    ...(spec.env && { env: spec.env }),
  });
  return {
    dir,
    server,
    stateFiles: () => filesUnder(join(dir, "data", "state")).map((f) => readFileSync(f, "utf8")),
    stackConfigFiles: () =>
      filesUnder(join(dir, "data", "workspaces"))
        .filter((f) => /Pulumi\.[^/]+\.yaml$/.test(f))
        .map((f) => readFileSync(f, "utf8")),
    projectFiles: () =>
      Object.fromEntries(filesUnder(join(dir, "projects")).map((f) => [f, readFileSync(f, "utf8")])),
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Follows a job's events until it ends; returns the final job and every event. */
export async function followJob(server: JobServer, id: string): Promise<{ job: Job; events: JobEvent[] }> {
  const events: JobEvent[] = [];
  for await (const event of server.service.watch(id, 0)) events.push(event);
  return { job: await server.service.get(id), events };
}

function filesUnder(root: string): string[] {
  let names: string[];
  try {
    names = readdirSync(root, { recursive: true }) as string[];
  } catch {
    return [];
  }
  // lstat: a link in a workspace is the user's file, not one of the service's.
  return names.map((n) => join(root, n)).filter((f) => lstatSync(f).isFile());
}
