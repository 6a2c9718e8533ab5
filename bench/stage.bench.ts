/**
 * Stage benchmark (npm run bench:stage).
 *
 * 1. Cold start: one process per run of each stage entry point against `node -e 0`, interleaved
 *    in one run so they share the machine's state; reports medians and the ratio of medians.
 *    Target: a stage run <= 2x a bare node start.
 * 2. In process: Program + Stack translations per second for a 50-property schema, after one
 *    prepareComponent. Target: >= 5,000 requests/s.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildProgram, buildStack, prepareComponent } from "../src/core/manifests";
import type { PackageSchema, PropertySpec } from "../src/core/package-schema";
import { parseResourceRequest } from "../src/core/request";
import { fmt, median } from "./stats";

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const DIST = resolve(__dirname, "..");

function fiftyPropertySchema(): PackageSchema {
  const inputProperties: Record<string, PropertySpec> = {};
  for (let i = 0; i < 50; i++) {
    const kinds: PropertySpec[] = [
      { type: "string", description: `Setting ${i}.` },
      { type: "integer" },
      { type: "boolean" },
      { type: "array", items: { type: "string" } },
      { type: "object", additionalProperties: { type: "string" } },
    ];
    inputProperties[`prop${i}`] = kinds[i % kinds.length] as PropertySpec;
  }
  return {
    name: "bench",
    version: "1.0.0",
    resources: {
      "bench:index:Big": { isComponent: true, inputProperties, properties: { out: { type: "string" } } },
    },
  };
}

function fiftyPropertySpec(): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  for (let i = 0; i < 50; i++) {
    spec[`prop${i}`] = [`value-${i}`, i, i % 2 === 0, ["a", "b"], { k: "v" }][i % 5];
  }
  return spec;
}

function timeProcess(args: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, args, { env, stdio: ["ignore", "ignore", "inherit"] });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function coldStart(): void {
  const dir = mkdtempSync(join(tmpdir(), "stackwright-bench-"));
  const schemaFile = join(dir, "schema.json");
  const requestFile = join(dir, "object.yaml");
  writeFileSync(schemaFile, JSON.stringify(fiftyPropertySchema()));
  writeFileSync(
    requestFile,
    JSON.stringify({
      apiVersion: "x/v1",
      kind: "Big",
      metadata: { name: "bench", namespace: "default" },
      spec: fiftyPropertySpec(),
    }),
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    KRATIX_INPUT_FILE: requestFile,
    KRATIX_OUTPUT_DIR: dir,
    PULUMI_SCHEMA_SOURCE: schemaFile,
    PULUMI_STACK_BACKEND: "s3://bench-state",
    PULUMI_STACK_NAME: "organization/dev",
  };
  const program = join(DIST, "stages", "program-stage.js");
  const stack = join(DIST, "stages", "stack-stage.js");
  const samples = { node: [] as number[], program: [] as number[], stack: [] as number[] };
  for (let i = 0; i < RUNS + 2; i++) {
    const node = timeProcess(["-e", "0"], env);
    const p = timeProcess([program], env);
    const s = timeProcess([stack], env);
    // The first two rounds warm the file system cache and are not counted.
    if (i >= 2) {
      samples.node.push(node);
      samples.program.push(p);
      samples.stack.push(s);
    }
  }
  const base = median(samples.node);
  console.log(`cold start, median of ${RUNS} runs each (interleaved):`);
  console.log(`  node -e 0            ${fmt(base)}`);
  for (const [name, values] of [
    ["program stage", samples.program],
    ["stack stage", samples.stack],
  ] as const) {
    const m = median(values);
    console.log(`  ${name.padEnd(20)} ${fmt(m)}   ratio ${(m / base).toFixed(2)}x (target <= 2.00x)`);
  }
}

function inProcess(): void {
  const prepared = prepareComponent(fiftyPropertySchema(), undefined);
  const request = parseResourceRequest({
    apiVersion: "x/v1",
    kind: "Big",
    metadata: { name: "bench", namespace: "default" },
    spec: fiftyPropertySpec(),
  });
  const options = { backend: "s3://bench-state", stackName: "organization/dev" };
  for (let i = 0; i < 2000; i++) {
    buildProgram(prepared, request);
    buildStack(prepared, request, options);
  }
  const durationMs = 2000;
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < durationMs) {
    buildProgram(prepared, request);
    buildStack(prepared, request, options);
    count++;
  }
  const elapsed = performance.now() - start;
  console.log(
    `in process, 50-property schema: ${Math.round((count / elapsed) * 1000)} requests/s (Program + Stack each; target >= 5000)`,
  );
}

coldStart();
inProcess();
