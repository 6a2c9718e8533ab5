import { create } from "@bufbuild/protobuf";
import type { Command } from "commander";
import { StackwrightInputError } from "../../core/errors";
import type { PlatformClient } from "../../jobs/api/client";
import {
  DeploymentStatus,
  ListCredentialsResponseSchema,
  ListStackDeploymentsResponseSchema,
  ListStacksResponseSchema,
  SetCredentialResponseSchema,
  type StackOperation,
  StackOperationSchema,
  StackStatus,
  type TenantStack,
  TenantStackSchema,
} from "../../jobs/api/gen/stackwright/platform/v1/platform_pb";
import { plainText } from "../../jobs/redaction/plain-text";
import { positiveInteger, required } from "../flag-values";
import type { ProgressOutput } from "../job-progress";
import { timeText } from "../table";
import { type ApiFlags, apiAction, collect, type Invocation, type PlatformCliIo } from "./command";
import {
  deploymentKindText,
  deploymentStatusText,
  finishDeployment,
  followDeployment,
  stepsText,
} from "./deployments";
import { STACK_STATUSES } from "./enum-words";
import { nameOr, templateNames } from "./names";
import { printEntries, printFields, printJson, printTable } from "./output";
import { allPages, MAX_PAGE_SIZE } from "./pages";
import { secretFromEnv, secretFromStdin } from "./secret-values";
import { type ParameterFlags, readStackParameters } from "./stack-parameters";

interface TenantFlags extends ApiFlags {
  tenant?: string;
}

interface OperationFlags extends TenantFlags {
  watch: boolean;
  waitForApproval: boolean;
}

interface DeployFlags extends OperationFlags, ParameterFlags {
  template?: string;
  version?: string;
}

interface CredentialFlags extends TenantFlags {
  fromEnv?: string;
  fromStdin: boolean;
}

const MAX_VERSION = 2 ** 32 - 1;
/** The most deployments `stacks history` asks for. */
const MAX_HISTORY = 500;
/** How long --watch waits for the service to record a finished deployment on its stack. */
const SETTLE_MS = 60_000;
const SETTLE_POLL_MS = 250;

/** `stackwright stacks …`: a tenant's stacks of catalogue templates, and the tenant's credentials. */
export function registerStackCommands(program: Command, io: PlatformCliIo): void {
  const stacks = program
    .command("stacks")
    .description("Deploy, preview, destroy and inspect a tenant's stacks of catalogue templates.");

  apiAction<TenantFlags & { all: boolean }>(
    tenantOption(stacks.command("list").description("List a tenant's stacks, by name.")).option(
      "--all",
      "destroyed stacks too",
      false,
    ),
    io,
    async ({ flags, api }) => {
      const tenant = required("--tenant", flags.tenant);
      const client = api();
      const all = await tenantStacks(client, tenant, flags.all);
      if (flags.json) {
        printJson(io, ListStacksResponseSchema, create(ListStacksResponseSchema, { stacks: all }));
        return;
      }
      const templates = await templateNames(client, tenant);
      printTable(
        io,
        ["NAME", "TEMPLATE", "VERSION", "STATUS", "DEPLOYED"],
        all.map((s) => [
          s.name,
          nameOr(templates, s.templateId),
          String(s.templateVersion),
          STACK_STATUSES.text(s.status),
          timeText(s.deployedAt),
        ]),
        "no stacks",
      );
    },
  );

  apiAction<TenantFlags>(
    tenantOption(
      stacks
        .command("get")
        .description("Show a stack: its template, status, parameters (never secret ones) and outputs.")
        .argument("<name>", "the stack's name"),
    ),
    io,
    async ({ flags, args, api }) => {
      const tenant = required("--tenant", flags.tenant);
      const client = api();
      const stack = await client.stacks.getStack({ tenant, name: args[0] as string });
      if (flags.json) printJson(io, TenantStackSchema, stack);
      else describeStack(io, stack, tenant, await templateNames(client, tenant));
    },
  );

  apiAction<DeployFlags>(
    watchOption(
      tenantOption(
        stacks
          .command("deploy")
          .description(
            "Create or update a stack of a template with its parameters, and deploy it: validate, " +
              "preview, the approval gate when its deploy policy asks for one, `pulumi up` of the " +
              "previewed plan, record. Prints the deployment's id.",
          )
          .argument("<name>", "the stack's name: lower-case letters, digits and '-'"),
      )
        .option("--template <template>", "the template (name or id); required")
        .option("--version <n>", "a published version (default: the newest)")
        .option(
          "--param <key=value>",
          'a parameter; the value is read as JSON when it is JSON (3, true, ["a"], "007"), else as text; repeatable',
          collect,
        )
        .option("--params-file <file>", "parameters as a JSON or YAML object; --param wins over it")
        .option(
          "--secret-param <key=VARIABLE>",
          "a secret parameter, read from the environment variable VARIABLE (key=- : from standard " +
            "input); never write the value itself on the command line; repeatable",
          collect,
        ),
    ).addHelpText(
      "after",
      "\nExample:\n  API_KEY=… stackwright stacks deploy web --tenant team-a --template greeter \\\n" +
        "    --param greeting=hi --secret-param apiKey=API_KEY --watch",
    ),
    io,
    async (invocation) => {
      const { flags, args } = invocation;
      const tenant = required("--tenant", flags.tenant);
      const template = required("--template", flags.template);
      const version =
        flags.version === undefined ? 0 : positiveInteger("--version", flags.version, MAX_VERSION);
      const { parameters, secretParameters } = await readStackParameters(io, flags);
      const name = args[0] as string;
      await operate(invocation, tenant, StackStatus.DEPLOYED, (client) =>
        client.stacks.deployStack({ tenant, name, template, version, parameters, secretParameters }),
      );
    },
  );

  apiAction<OperationFlags & { version?: string }>(
    watchOption(
      tenantOption(
        stacks
          .command("preview")
          .description(
            "Run `pulumi preview` of a stack as it stands, or with another version of its template " +
              "(what deploying it would change), as a deployment; prints the deployment's id. The " +
              "stack keeps its version.",
          )
          .argument("<name>", "the stack's name"),
      ).option(
        "--version <n>",
        "another version of the stack's template: a published one, or the draft if you manage the template (default: the stack's own)",
      ),
    ),
    io,
    async (invocation) => {
      const { flags, args } = invocation;
      const tenant = required("--tenant", flags.tenant);
      const version =
        flags.version === undefined ? 0 : positiveInteger("--version", flags.version, MAX_VERSION);
      const name = args[0] as string;
      await operate(invocation, tenant, undefined, (client) =>
        client.stacks.previewStack({ tenant, name, version }),
      );
    },
  );

  apiAction<OperationFlags>(
    watchOption(
      tenantOption(
        stacks
          .command("destroy")
          .description("Run `pulumi destroy` of a stack, as a deployment; prints the deployment's id.")
          .argument("<name>", "the stack's name"),
      ),
    ),
    io,
    async (invocation) => {
      const tenant = required("--tenant", invocation.flags.tenant);
      const name = invocation.args[0] as string;
      await operate(invocation, tenant, StackStatus.DESTROYED, (client) =>
        client.stacks.destroyStack({ tenant, name }),
      );
    },
  );

  apiAction<TenantFlags & { limit?: string }>(
    tenantOption(
      stacks
        .command("history")
        .description(
          "List a stack's deployments, newest first: kind, status, who started it, when, and each " +
            "step with its status and job.",
        )
        .argument("<name>", "the stack's name"),
    ).option("--limit <n>", `the newest n deployments, 1 to ${MAX_HISTORY} (default: 50)`),
    io,
    async ({ flags, args, api }) => {
      const tenant = required("--tenant", flags.tenant);
      const pageSize = flags.limit === undefined ? 0 : positiveInteger("--limit", flags.limit, MAX_HISTORY);
      const answer = await api().stacks.listStackDeployments({ tenant, name: args[0] as string, pageSize });
      if (flags.json) {
        printJson(io, ListStackDeploymentsResponseSchema, answer);
        return;
      }
      printTable(
        io,
        ["ID", "KIND", "STATUS", "STARTED BY", "STARTED", "FINISHED", "STEPS"],
        answer.deployments.map((d) => [
          d.id,
          deploymentKindText(d.kind),
          deploymentStatusText(d.status),
          d.startedBy,
          timeText(d.createdAt),
          timeText(d.finishedAt),
          stepsText(d.steps),
        ]),
        "no deployments",
      );
    },
  );

  const credentials = stacks
    .command("credentials")
    .description("Set and list a tenant's credentials: environment variables its stacks' programs get.");
  apiAction<CredentialFlags>(
    tenantOption(
      credentials
        .command("set")
        .description("Set a credential; its value is kept sealed and never shown again.")
        .argument("<name>", "the environment variable's name: A-Z, 0-9 and _"),
    )
      .option("--from-env <variable>", "read the value from this environment variable of yours")
      .option("--from-stdin", "read the value from standard input", false),
    io,
    async ({ flags, args, api }) => {
      const tenant = required("--tenant", flags.tenant);
      const name = args[0] as string;
      if ((flags.fromEnv === undefined) === !flags.fromStdin)
        throw StackwrightInputError.single("--from-env", "give either --from-env VARIABLE or --from-stdin");
      const value =
        flags.fromEnv === undefined
          ? await secretFromStdin(io, "--from-stdin", name)
          : secretFromEnv(io, "--from-env", flags.fromEnv, name);
      const answer = await api().stacks.setCredential({ tenant, name, value });
      if (flags.json) printJson(io, SetCredentialResponseSchema, answer);
      else io.log(`credential ${name} set for tenant ${tenant}`);
    },
  );
  apiAction<TenantFlags>(
    tenantOption(
      credentials
        .command("list")
        .description("List the names of a tenant's credentials (never their values)."),
    ),
    io,
    async ({ flags, api }) => {
      const tenant = required("--tenant", flags.tenant);
      const answer = await api().stacks.listCredentials({ tenant });
      if (flags.json) printJson(io, ListCredentialsResponseSchema, answer);
      else
        printTable(
          io,
          ["NAME"],
          answer.names.map((n) => [n]),
          "no credentials",
        );
    },
  );
}

function tenantOption(command: Command): Command {
  return command.option("--tenant <tenant>", "the tenant (name or id); required");
}

function watchOption(command: Command): Command {
  return command
    .option(
      "--watch",
      "follow the deployment: each step as it starts and ends, with its job and the job's progress; " +
        "then show the stack. Stops at an approval gate, saying how to approve. Exit 1 unless it succeeds",
      false,
    )
    .option(
      "--wait-for-approval",
      "with --watch (which it implies): at an approval gate, wait for the decision and follow on",
      false,
    );
}

/**
 * Starts a stack's operation and prints its deployment's id (the StackOperation, with --json).
 * With --watch, follows the deployment (followDeployment) and, for a deploy or a destroy, shows
 * the stack as it recorded it: exits 1 unless the deployment succeeded and the stack ended
 * `expected`. A deployment stopped at its approval gate exits 0. Under --json, progress goes to
 * stderr, so stdout holds one JSON document: the StackOperation as it was when following stopped.
 */
async function operate(
  { flags, io, api }: Invocation<OperationFlags>,
  tenant: string,
  expected: StackStatus | undefined,
  start: (client: PlatformClient) => Promise<StackOperation>,
): Promise<void> {
  const client = api();
  const operation = await start(client);
  const started = operation.deployment;
  if (started === undefined) throw new Error("the service answered without the deployment");
  if (!flags.json) io.log(started.id);
  if (!flags.watch && !flags.waitForApproval) {
    if (flags.json) printJson(io, StackOperationSchema, operation);
    return;
  }
  const progress: ProgressOutput = flags.json
    ? { log: io.err, ...(io.stderr && { terminal: io.stderr }) }
    : { log: io.log, ...(io.stdout && { terminal: io.stdout }) };
  const deployment = await followDeployment(client, tenant, started, progress, flags.waitForApproval);
  let stack = operation.stack;
  if (deployment.status === DeploymentStatus.AWAITING_APPROVAL) {
    if (flags.json) printJson(io, StackOperationSchema, create(StackOperationSchema, { stack, deployment }));
    else
      io.log(
        `not waiting for the decision (--wait-for-approval waits); see the deployment in \`stackwright stacks history ${deployment.stackName} --tenant ${tenant}\``,
      );
    return;
  }
  if (expected !== undefined && stack !== undefined) stack = await settled(client, tenant, stack);
  if (flags.json) printJson(io, StackOperationSchema, create(StackOperationSchema, { stack, deployment }));
  finishDeployment(deployment, progress);
  if (stack === undefined || expected === undefined) return;
  if (stack.status !== expected)
    throw StackwrightInputError.single(
      `stack ${stack.name}`,
      `${STACK_STATUSES.text(stack.status)}${stack.error ? `: ${plainText(stack.error)}` : ""}`,
    );
  if (flags.json) return;
  io.log(`stack ${stack.name} ${STACK_STATUSES.text(stack.status)}`);
  if (stack.status === StackStatus.DEPLOYED) printEntries(io, "outputs", stack.outputs);
}

/** The stack once the service has recorded its last deployment: neither deploying nor destroying. */
async function settled(client: PlatformClient, tenant: string, stack: TenantStack): Promise<TenantStack> {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    // By id among all the tenant's stacks: a destroyed stack is no longer found by its name.
    const found = (await tenantStacks(client, tenant, true)).find((s) => s.id === stack.id);
    if (found === undefined) throw StackwrightInputError.single(`stack ${stack.name}`, "is gone");
    if (found.status !== StackStatus.DEPLOYING && found.status !== StackStatus.DESTROYING) return found;
    if (Date.now() > deadline)
      throw StackwrightInputError.single(
        `stack ${stack.name}`,
        `its deployment ended, but the stack is still ${STACK_STATUSES.text(found.status)} after ${SETTLE_MS / 1000}s`,
      );
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
}

function tenantStacks(
  client: PlatformClient,
  tenant: string,
  includeDestroyed: boolean,
): Promise<TenantStack[]> {
  return allPages(async (pageToken) => {
    const page = await client.stacks.listStacks({
      tenant,
      includeDestroyed,
      pageSize: MAX_PAGE_SIZE,
      pageToken,
    });
    return { items: page.stacks, nextPageToken: page.nextPageToken };
  });
}

function describeStack(
  io: PlatformCliIo,
  stack: TenantStack,
  tenant: string,
  templates: ReadonlyMap<string, string>,
): void {
  printFields(io, [
    ["name", stack.name],
    ["id", stack.id],
    ["tenant", tenant],
    ["template", `${nameOr(templates, stack.templateId)}, version ${stack.templateVersion}`],
    ["status", STACK_STATUSES.text(stack.status)],
    ["error", stack.error || "-"],
    ["last job", stack.lastJobId || "-"],
    ["state", stack.stateLocation || "-"],
    ["created", `${timeText(stack.createdAt)} by ${stack.createdBy}`],
    [
      "deployed",
      stack.deployedAt === undefined ? "-" : `${timeText(stack.deployedAt)} by ${stack.deployedBy}`,
    ],
  ]);
  printEntries(io, "parameters", stack.parameters);
  printEntries(io, "outputs", stack.outputs);
}
