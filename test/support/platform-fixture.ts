import assert from "node:assert/strict";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Role } from "../../src/catalog/permissions";
import { type Caller, SERVICE_CALLER } from "../../src/jobs/domain/caller";
import {
  type Deployment,
  type DeploymentStatus,
  TERMINAL_DEPLOYMENT_STATUSES,
} from "../../src/jobs/domain/deployment";
import type { Job, JobEvent } from "../../src/jobs/domain/job";
import { PlatformError } from "../../src/jobs/domain/platform-error";
import type { TenantStack } from "../../src/jobs/domain/tenant-stack";
import type { JobServer } from "../../src/jobs/start-job-server";
import { followJob } from "./job-fixture";

/**
 * Where template installs are kept across test runs: npm and pip installs are slow cold, and the
 * suite must stay quick warm. The service shares an installs directory by design.
 */
export const TEST_TEMPLATE_INSTALLS = join(homedir(), ".cache", "stackwright", "test-template-installs");

/** A user of `tenant` with `role`, signed in with a token of their own, as the API would see them. */
export async function userWithRole(
  server: JobServer,
  name: string,
  tenant: string,
  role: Role,
): Promise<Caller> {
  const { governance, authenticator } = server.platform;
  await governance.createUser(SERVICE_CALLER, { name });
  await governance.setMembership(SERVICE_CALLER, { tenant, user: name, role });
  const { token } = await governance.issueToken(SERVICE_CALLER, { user: name, name: "test" });
  return authenticator.authenticate(token);
}

/** For assert.rejects: the service refused with `code` and a message matching `message`. */
export function platformRefusal(code: string, message: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof PlatformError, String(error));
    assert.equal(error.code, code, error.message);
    assert.match(error.message, message);
    return true;
  };
}

/** Waits until the tenant stack leaves `deploying`/`destroying`, and returns it. */
export async function settled(
  server: JobServer,
  caller: Caller,
  tenant: string,
  name: string,
): Promise<TenantStack> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const stacks = await server.platform.stacks.list(caller, { tenant, includeDestroyed: true });
    const stack = stacks.filter((s) => s.name === name).sort((a, b) => b.createdAt - a.createdAt)[0];
    if (stack !== undefined && stack.status !== "deploying" && stack.status !== "destroying") return stack;
    if (Date.now() > deadline) throw new Error(`stack ${name} still ${stack?.status} after 5 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Waits until the deployment ends — or reaches one of `until` (awaiting_approval, say) — and
 * returns it as the service records it.
 */
export async function deploymentOutcome(
  server: JobServer,
  caller: Caller,
  tenant: string,
  deploymentId: string,
  until: ReadonlySet<DeploymentStatus> = TERMINAL_DEPLOYMENT_STATUSES,
): Promise<Deployment> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const deployment = await server.platform.stacks.deployment(caller, { tenant, deploymentId });
    if (until.has(deployment.status)) return deployment;
    if (Date.now() > deadline)
      throw new Error(`deployment ${deploymentId} still ${deployment.status} after 5 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Waits for the deployment to end and follows the job of its main step (the up of a deploy, the
 * destroy of a destroy, the preview of a preview): the job and its events, as followJob gives them.
 */
export async function followDeployment(
  server: JobServer,
  caller: Caller,
  tenant: string,
  deploymentId: string,
): Promise<{ deployment: Deployment; job: Job; events: JobEvent[] }> {
  const deployment = await deploymentOutcome(server, caller, tenant, deploymentId);
  const main = { deploy: "up", destroy: "destroy", preview: "preview" }[deployment.kind];
  const jobId = deployment.steps.find((step) => step.name === main)?.jobId ?? deployment.steps.at(-1)?.jobId;
  if (jobId == null)
    throw new Error(`deployment ${deploymentId} ran no job: ${deployment.status} ${deployment.error}`);
  return { deployment, ...(await followJob(server, jobId)) };
}

/** The job ids of a deployment's steps, by step name. */
export function stepJobs(deployment: Deployment): Record<string, string | null> {
  return Object.fromEntries(deployment.steps.map((step) => [step.name, step.jobId]));
}

/**
 * A YAML template with no resources: a greeting (plain, with a default) and an API key (secret,
 * at least 8 characters) in, a message and the key out. `suffix` ends the message.
 */
export function greeterProgram(name = "greeter", suffix = ", tenant"): string {
  return [
    `name: ${name}`,
    "runtime: yaml",
    "config:",
    "  greeting:",
    "    type: string",
    "  apiKey:",
    "    type: string",
    "outputs:",
    `  message: \${greeting}${suffix}`,
    "  key: ${apiKey}",
    "",
  ].join("\n");
}

export const GREETER_PARAMETERS = {
  type: "object",
  properties: {
    greeting: { type: "string", default: "hello" },
    apiKey: { type: "string", writeOnly: true, minLength: 8 },
  },
  required: ["apiKey"],
};

export const GREETER = {
  files: { "Pulumi.yaml": greeterProgram() },
  dependencies: {},
  parameters: GREETER_PARAMETERS,
};
