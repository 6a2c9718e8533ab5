#!/usr/bin/env node
import { type Problem, StackwrightInputError } from "../core/errors";
import { buildStack, manifestYaml, prepareComponent } from "../core/manifests";
import { PLACEHOLDER_PREFIX } from "../core/placeholder";
import {
  BACKEND_EXAMPLE,
  backendProblem,
  STACK_NAME_EXAMPLE,
  type StackOptionFields,
  type StackOptions,
  stackNameProblem,
} from "../core/stack-options";
import { readExistingSecretEnv } from "./secret-env";
import { type Env, nonEmpty, readCommonStageEnv } from "./stage-env";
import { readRequest, readSchema, writeFileAtomically } from "./stage-io";
import { runStage } from "./stage-runner";

const STAGE_FIELDS: StackOptionFields = { backend: "PULUMI_STACK_BACKEND", stackName: "PULUMI_STACK_NAME" };

/**
 * The operator's intent for the Stack, from the environment. Read and checked before anything
 * else, so a misconfigured workflow fails at once. Documented in docs/stages.md, "Environment
 * variables".
 */
export function readStackOptions(env: Env): StackOptions {
  const problems: Problem[] = [];
  const required = (name: string, check: (v: string) => string | undefined, example: string) => {
    const value = nonEmpty(env[name]);
    if (value === undefined) problems.push({ at: name, message: `is required, e.g. ${example}` });
    else if (value.startsWith(PLACEHOLDER_PREFIX)) {
      problems.push({
        at: name,
        message: `still holds the placeholder from stackwright init; set it in the Promise's workflow, e.g. ${example}`,
      });
    } else {
      const problem = check(value);
      if (problem !== undefined) problems.push({ at: name, message: problem });
    }
    return value ?? "";
  };
  const backend = required("PULUMI_STACK_BACKEND", backendProblem, BACKEND_EXAMPLE);
  const backendOk = backendProblem(backend) === undefined;
  // The project part is checked against each request's Program name in buildStack.
  const stackName = required(
    "PULUMI_STACK_NAME",
    (value) => stackNameProblem(value, backendOk ? { backend } : {}),
    STACK_NAME_EXAMPLE,
  );
  const options: { -readonly [K in keyof StackOptions]: StackOptions[K] } = { backend, stackName };

  const serviceAccount = nonEmpty(env.PULUMI_STACK_SERVICE_ACCOUNT_NAME);
  if (serviceAccount !== undefined) {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(serviceAccount) || serviceAccount.length > 253) {
      problems.push({
        at: "PULUMI_STACK_SERVICE_ACCOUNT_NAME",
        message: "must be a Kubernetes object name (DNS-1123 subdomain)",
      });
    }
    options.serviceAccountName = serviceAccount;
  }
  const destroy = nonEmpty(env.PULUMI_STACK_DESTROY_ON_FINALIZE);
  if (destroy !== undefined) {
    if (destroy !== "true" && destroy !== "false") {
      problems.push({
        at: "PULUMI_STACK_DESTROY_ON_FINALIZE",
        message: `must be 'true' or 'false', got ${JSON.stringify(destroy)}`,
      });
    }
    options.destroyOnFinalize = destroy === "true";
  }
  const existingSecretEnv = readExistingSecretEnv(env, problems);
  if (Object.keys(existingSecretEnv).length > 0) options.existingSecretEnv = existingSecretEnv;
  if (problems.length > 0) throw new StackwrightInputError(problems);
  return options;
}

/** The Stack container: request → `stack.yaml`. Needs nothing from the Program container. */
export async function runStackStage(env: Env): Promise<void> {
  const options = readStackOptions(env);
  const settings = readCommonStageEnv(env);
  const request = await readRequest(settings.inputFile);
  const prepared = prepareComponent(await readSchema(settings.schemaSource), settings.componentToken);
  const stack = buildStack(prepared, request, options, STAGE_FIELDS);
  writeFileAtomically(settings.outputDir, "stack.yaml", manifestYaml(stack));
}

if (require.main === module) runStage("stackwright-stack-stage", () => runStackStage(process.env));
