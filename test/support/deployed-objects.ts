import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { toYaml } from "../../src/core/yaml";
import type { LocalCluster } from "./local-cluster";
import { runStageProcess, tempOutputDir } from "./stage-process";
import { parse } from "./yaml";

type Json = Record<string, unknown>;

/** What the Kratix stages emit for a request: the objects a ProgramStack must match. */
export interface StageObjects {
  readonly program: Json;
  readonly stack: Json;
}

export interface StageRequest {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly spec: Json;
  readonly schemaPath: string;
  readonly componentToken: string;
  readonly backend: string;
  readonly stackName: string;
  /** Further Stack-stage variables (service account, envRefs, …). */
  readonly env?: Record<string, string>;
}

/** Runs both stage bundles, as the workflow's two containers do, and returns what they wrote. */
export async function stageObjects(request: StageRequest): Promise<StageObjects> {
  const dir = await tempOutputDir();
  const input = join(dir, "input");
  const output = join(dir, "output");
  await mkdir(input);
  await mkdir(output);
  await writeFile(
    join(input, "object.yaml"),
    toYaml({
      apiVersion: "platform.example.com/v1alpha1",
      kind: request.kind,
      metadata: { name: request.name, namespace: request.namespace },
      spec: request.spec,
    }),
  );
  const env = {
    KRATIX_INPUT_FILE: join(input, "object.yaml"),
    KRATIX_OUTPUT_DIR: output,
    PULUMI_SCHEMA_SOURCE: request.schemaPath,
    PULUMI_COMPONENT_TOKEN: request.componentToken,
    PULUMI_STACK_BACKEND: request.backend,
    PULUMI_STACK_NAME: request.stackName,
    ...request.env,
  };
  let files: Record<string, string> = {};
  for (const stage of ["program-stage", "stack-stage"] as const) {
    const result = await runStageProcess(stage, env);
    if (result.code !== 0) throw new Error(`${stage} failed: ${result.stderr}`);
    files = result.files;
  }
  return {
    program: parse(files["program.yaml"] ?? "") as Json,
    stack: parse(files["stack.yaml"] ?? "") as Json,
  };
}

/** The label the Kubernetes provider puts on every object it manages. */
const MANAGED_BY = "app.kubernetes.io/managed-by";

/**
 * An object as the server holds it, less what the server and the provider add (uid, versions,
 * timestamps, managed fields, status, the provider's managed-by label): what the client applied.
 */
export function asApplied(object: Json): Json {
  const { metadata, status: _status, ...rest } = object as { metadata: Json; status?: unknown };
  const { name, namespace, labels, annotations } = metadata as {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  const ownLabels = Object.fromEntries(Object.entries(labels ?? {}).filter(([key]) => key !== MANAGED_BY));
  return {
    ...rest,
    metadata: {
      name,
      namespace,
      ...(Object.keys(ownLabels).length > 0 && { labels: ownLabels }),
      ...(annotations !== undefined && { annotations }),
    },
  };
}

export interface DeployedObjects {
  readonly program: Json | undefined;
  readonly stack: Json | undefined;
  readonly secret: Json | undefined;
}

/** Reads a ProgramStack's three objects back from the server (undefined where one is absent). */
export async function readDeployed(
  cluster: LocalCluster,
  namespace: string,
  names: { programName: string; stackName: string; secretName: string },
): Promise<DeployedObjects> {
  const [program, stack, secret] = await Promise.all([
    cluster.get("programs.pulumi.com", names.programName, namespace),
    cluster.get("stacks.pulumi.com", names.stackName, namespace),
    cluster.get("secrets", names.secretName, namespace),
  ]);
  return { program, stack, secret };
}

/** A Secret's data, decoded. */
export function secretData(secret: Json | undefined): Record<string, string> {
  const data = (secret?.data ?? {}) as Record<string, string>;
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [key, Buffer.from(value, "base64").toString("utf8")]),
  );
}
