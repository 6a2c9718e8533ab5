/**
 * ProgramStack benchmark (npm run bench:program-stacks).
 *
 * `pulumi preview` of a program with 50 ProgramStacks against a program that writes the same 50
 * Program/Stack/Secret triples as plain Kubernetes resources, both through the Kubernetes provider
 * against the local API server, alternated in one run so that both share the machine's state.
 * Reports the medians and their ratio. Target: ProgramStack / plain <= 1.15. A third arm puts each
 * plain triple inside a bare component, to show how much of the difference any component costs.
 */

import { readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { ProgramStack } from "../src/components/program-stack";
import { buildProgram, buildStack, namesFor, prepareComponent } from "../src/core/manifests";
import { parsePackageSchema } from "../src/core/package-schema";
import { createIsolatedEngine } from "../test/support/isolated-engine";
import { startLocalCluster } from "../test/support/local-cluster";
import { PKO_CRD_DIR, SAMPLE_COMPONENT_SCHEMA } from "../test/support/paths";
import { fmt, median } from "./stats";

const COUNT = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const TOKEN = "sample:index:Database";
const BACKEND = "s3://bench-state";

const argsOf = (index: number, namespace: string) => ({
  componentSchemaPath: SAMPLE_COMPONENT_SCHEMA,
  componentToken: TOKEN,
  inputs: { engine: "postgres", size: 10 + index, password: pulumi.secret(`bench-password-${index}`) },
  namespace,
  backend: BACKEND,
  stack: "bench",
  credentials: { AWS_SECRET_ACCESS_KEY: pulumi.secret(`bench-aws-${index}`) },
});

function withProgramStacks(namespace: string) {
  return async () => {
    for (let i = 0; i < COUNT; i++) new ProgramStack(`db-${i}`, argsOf(i, namespace));
  };
}

/** A bare component: registers itself and its (empty) outputs, nothing more. */
class Wrapper extends pulumi.ComponentResource {
  constructor(name: string) {
    super("bench:index:Wrapper", name);
  }
  done(): void {
    this.registerOutputs({});
  }
}

/**
 * The same objects, computed up front by the translation core and written as plain resources;
 * with `wrapped`, each triple inside a bare component of its own: what any component costs.
 */
function withPlainResources(namespace: string, wrapped = false) {
  const prepared = prepareComponent(
    parsePackageSchema(readFileSync(SAMPLE_COMPONENT_SCHEMA, "utf8"), "schema"),
    TOKEN,
  );
  return async () => {
    for (let i = 0; i < COUNT; i++) {
      const request = {
        kind: "Database",
        name: `db-${i}`,
        namespace,
        labels: {},
        annotations: {},
        spec: { engine: "postgres", size: 10 + i },
      };
      const parent = wrapped ? new Wrapper(`db-${i}`) : undefined;
      const opts = { ...(parent && { parent }) };
      const program = buildProgram(prepared, request);
      const stack = buildStack(prepared, request, {
        backend: BACKEND,
        stackName: "bench",
        secretEnv: { AWS_SECRET_ACCESS_KEY: "AWS_SECRET_ACCESS_KEY" },
      });
      const secret = new k8s.core.v1.Secret(
        `db-${i}-secret`,
        {
          metadata: { name: namesFor(prepared, request).secret, namespace },
          type: "Opaque",
          stringData: pulumi.secret({
            password: `bench-password-${i}`,
            AWS_SECRET_ACCESS_KEY: `bench-aws-${i}`,
          }),
        },
        opts,
      );
      const programResource = new k8s.apiextensions.CustomResource(
        `db-${i}-program`,
        {
          apiVersion: "pulumi.com/v1",
          kind: "Program",
          metadata: program.metadata,
          program: program.program,
        },
        opts,
      );
      new k8s.apiextensions.CustomResource(
        `db-${i}-stack`,
        { apiVersion: "pulumi.com/v1", kind: "Stack", metadata: stack.metadata, spec: stack.spec },
        { ...opts, dependsOn: [programResource, secret] },
      );
      parent?.done();
    }
  };
}

async function main(): Promise<void> {
  const cluster = await startLocalCluster({ crdDir: PKO_CRD_DIR });
  const engine = await createIsolatedEngine();
  try {
    const namespace = await cluster.createNamespace("bench");
    const envVars = { ...engine.env, KUBECONFIG: cluster.kubeconfig } as Record<string, string>;
    const stackFor = async (name: string, program: () => Promise<void>): Promise<Stack> =>
      LocalWorkspace.createOrSelectStack(
        { stackName: "bench", projectName: name, program },
        {
          workDir: await mkdtemp(join(engine.dir, `${name}-`)),
          projectSettings: { name, runtime: "nodejs", backend: { url: engine.backendUrl } },
          envVars,
        },
      );
    const stacks = {
      programStacks: await stackFor("program-stacks", withProgramStacks(namespace)),
      plain: await stackFor("plain-resources", withPlainResources(namespace)),
      wrapped: await stackFor("wrapped-resources", withPlainResources(namespace, true)),
    };
    const samples: Record<keyof typeof stacks, number[]> = { programStacks: [], plain: [], wrapped: [] };
    // One unmeasured preview each: plugin caches and the API server's discovery warm up.
    for (const stack of Object.values(stacks)) await stack.preview();
    const arms = Object.entries(stacks) as [keyof typeof stacks, Stack][];
    for (let round = 0; round < ROUNDS; round++)
      // Each round starts with another arm, so that no arm always runs first or last.
      for (const [name, stack] of [
        ...arms.slice(round % arms.length),
        ...arms.slice(0, round % arms.length),
      ]) {
        const start = process.hrtime.bigint();
        const result = await stack.preview();
        samples[name].push(Number(process.hrtime.bigint() - start) / 1e6);
        const creates = result.changeSummary.create ?? 0;
        if (creates < COUNT * 3)
          throw new Error(`${name}: the preview plans ${creates} creates, expected >= ${COUNT * 3}`);
      }
    const programStacks = median(samples.programStacks);
    const plain = median(samples.plain);
    const wrapped = median(samples.wrapped);
    process.stdout.write(
      [
        `pulumi preview, ${COUNT} Program/Stack/Secret triples, against the local API server (${ROUNDS} rounds, medians)`,
        `  as ${COUNT} ProgramStacks:     ${fmt(programStacks)}`,
        `  as plain resources:        ${fmt(plain)}`,
        `  ratio ProgramStack/plain:  ${(programStacks / plain).toFixed(2)} (target <= 1.15)`,
        `  plain, each triple in a bare component: ${fmt(wrapped)} (${(wrapped / plain).toFixed(2)} x plain: what any component costs)`,
        `  ratio ProgramStack/bare component: ${(programStacks / wrapped).toFixed(2)} (what ProgramStack itself adds)`,
        "",
      ].join("\n"),
    );
  } finally {
    await engine.dispose();
    await cluster.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:program-stacks: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
