/**
 * Catalogue benchmark (npm run bench:catalog).
 *
 * 1. Parameter validation: a 50-parameter template under a tenant's constraint on 20 of them,
 *    validated against the tenant's effective schema, in validations per second; the baseline is
 *    the same parameters against the template's own schema, in the same run.
 *    Target: >= 10,000 validations/s.
 * 2. Listing: a catalogue of 1,000 templates and 100 tenants (each denied 50 templates) in the
 *    embedded SQLite store; the p99 of one tenant's first page (100 templates), through the
 *    catalogue service (permission check included) and through the API (HTTP/JSON, a user's token
 *    looked up per call); the baselines are the same page unfiltered from the store and the
 *    API's smallest call (ListTenants), in the same run. Target: p99 <= 20 ms.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readConstraint, UNCONSTRAINED } from "../src/catalog/constraints";
import { effectiveParameterSchema } from "../src/catalog/effective-schema";
import { type ParameterSchema, readParameterSchema } from "../src/catalog/parameter-schema";
import { parameterValidatorFor } from "../src/catalog/parameter-validator";
import { createPlatformClient } from "../src/jobs/api/client";
import { parseServiceConfig } from "../src/jobs/config/service-config";
import type { Caller } from "../src/jobs/domain/caller";
import { SERVICE_CALLER } from "../src/jobs/domain/caller";
import { CatalogueService } from "../src/jobs/service/catalogue-service";
import { startJobServer } from "../src/jobs/start-job-server";
import { CatalogueStore } from "../src/jobs/store/catalogue-store";
import { migrate } from "../src/jobs/store/migrations";
import { SqliteDatabase } from "../src/jobs/store/sqlite-database";
import { TenancyStore } from "../src/jobs/store/tenancy-store";
import { fmt, median, percentile } from "./stats";

function fiftyParameters(): ParameterSchema {
  const properties: Record<string, unknown> = {};
  for (let i = 0; i < 50; i++)
    properties[`p${i}`] = [
      { type: "string", pattern: "^[a-z][a-z0-9-]*$", maxLength: 40, default: `name-${i}` },
      { type: "integer", minimum: 0, maximum: 1000, default: i },
      { type: "string", enum: ["small", "medium", "large", "xlarge"], default: "small" },
      { type: "boolean", default: false },
      { type: "array", items: { type: "string" }, maxItems: 10, default: [] },
    ][i % 5];
  const { schema, problems } = readParameterSchema({ type: "object", properties });
  if (schema === undefined) throw new Error(JSON.stringify(problems));
  return schema;
}

function fiftyValues(): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (let i = 0; i < 50; i++) values[`p${i}`] = [`svc-${i}`, i % 100, "medium", true, ["a", "b"]][i % 5];
  return values;
}

function throughput(validate: (values: unknown) => unknown, values: Record<string, unknown>): number {
  for (let i = 0; i < 5000; i++) validate(values);
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < 2000) {
    for (let i = 0; i < 100; i++) validate(values);
    count += 100;
  }
  return count / ((performance.now() - start) / 1000);
}

function validation(): void {
  const template = fiftyParameters();
  const constraintParameters: Record<string, unknown> = {};
  for (let i = 0; i < 20; i++)
    constraintParameters[`p${i}`] = [
      { pattern: "^svc-" },
      { maximum: 500 },
      { allowedValues: ["small", "medium"] },
      { allowedValues: [true, false] },
      {},
    ][i % 5];
  const { constraint, problems } = readConstraint({ parameters: constraintParameters }, template);
  if (constraint === undefined) throw new Error(JSON.stringify(problems));
  const effective = effectiveParameterSchema(template, constraint);
  const values = fiftyValues();
  const constrained = parameterValidatorFor("effective", () => effective);
  if (constrained(values).problems.length > 0) throw new Error("the benchmark's values should be valid");
  const baseline = throughput(
    parameterValidatorFor("template", () => effectiveParameterSchema(template, UNCONSTRAINED)),
    values,
  );
  const measured = throughput(constrained, values);
  // What a deploy does: look the tenant's validator up by version and constraint, then validate.
  const withLookup = throughput(
    (v) =>
      parameterValidatorFor(`sha256:x\u0000${JSON.stringify(constraint)}`, () =>
        effectiveParameterSchema(template, constraint),
      )(v),
    values,
  );
  console.log("parameter validation, 50 parameters, 20 constrained (2 s each):");
  console.log(`  template's own schema (baseline)   ${Math.round(baseline)} validations/s`);
  console.log(
    `  tenant's effective schema          ${Math.round(measured)} validations/s   ratio ${(measured / baseline).toFixed(2)}x`,
  );
  console.log(
    `  effective schema built and looked up per request  ${Math.round(withLookup)} validations/s   ratio ${(withLookup / baseline).toFixed(2)}x (target >= 10,000/s)`,
  );
}

async function listing(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "stackwright-bench-catalog-"));
  // Where `stackwright serve` keeps its SQLite database, so the API part serves the same catalogue.
  const db = new SqliteDatabase(join(dir, "jobs.db"));
  try {
    await migrate(db);
    const tenancy = new TenancyStore(db);
    const catalogue = new CatalogueStore(db);
    const tenants: { id: string; name: string }[] = [];
    for (let t = 0; t < 100; t++) tenants.push(await tenancy.createTenant(`tenant-${t}`, `Tenant ${t}`));
    const templates: { id: string }[] = [];
    await db.transaction(async (tx) => {
      const store = new CatalogueStore(tx);
      for (let i = 0; i < 1000; i++)
        templates.push(
          await store.createTemplate({
            name: `template-${String(i).padStart(4, "0")}`,
            ownerTenantId: null,
            displayName: `Template ${i}`,
            description: "A template of the benchmark's catalogue.",
            language: "yaml",
            system: false,
            createdBy: "bench",
          }),
        );
      for (const [t, tenant] of tenants.entries())
        for (let k = 0; k < 50; k++)
          await store.setConstraint(
            (templates[(t * 7 + k * 19) % templates.length] as { id: string }).id,
            tenant.id,
            { allowed: false, parameters: {} },
            "bench",
          );
    });
    const service = new CatalogueService(db, async () => []);
    const callers: Caller[] = tenants.map((tenant, t) => ({
      actor: `user-${t}`,
      principal: { userId: `user-${t}`, memberships: new Map([[tenant.id, "user"]]), providerAdmin: false },
    }));
    const baseline = await timeCalls(() => catalogue.listTemplates({ limit: 100 }));
    const tenantPages = await timeCalls((i) => {
      const t = i % tenants.length;
      return service.list(callers[t] as Caller, (tenants[t] as { name: string }).name, { limit: 100 });
    });
    console.log(
      `listing, 1,000 templates x 100 tenants (5,000 denials), first page of 100, ${ROUNDS} calls:`,
    );
    console.log(
      `  unfiltered page from the store (baseline)   p50 ${fmt(median(baseline))}  p99 ${fmt(percentile(baseline, 99))}`,
    );
    console.log(
      `  a tenant's page through the service         p50 ${fmt(median(tenantPages))}  p99 ${fmt(percentile(tenantPages, 99))}   p99 ratio ${(percentile(tenantPages, 99) / percentile(baseline, 99)).toFixed(2)}x (target p99 <= 20 ms)`,
    );
    await db.close();
    await overTheApi(dir, tenants);
  } finally {
    await db.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

const ROUNDS = 2000;

async function timeCalls(call: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 200; i++) await call(i);
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    await call(i);
    samples.push(performance.now() - start);
  }
  return samples;
}

/** The same catalogue served by `stackwright serve`'s server, a user of each tenant calling it. */
async function overTheApi(dir: string, tenants: { id: string; name: string }[]): Promise<void> {
  const config = parseServiceConfig({ dataDir: dir }, dir, {});
  const server = await startJobServer({ config, token: "bench-service-token-0123456789", workers: false });
  try {
    const clients: ReturnType<typeof createPlatformClient>[] = [];
    for (const [t, tenant] of tenants.entries()) {
      await server.platform.governance.createUser(SERVICE_CALLER, { name: `api-user-${t}` });
      await server.platform.governance.setMembership(SERVICE_CALLER, {
        tenant: tenant.id,
        user: `api-user-${t}`,
        role: "user",
      });
      const { token } = await server.platform.governance.issueToken(SERVICE_CALLER, {
        user: `api-user-${t}`,
        name: "bench",
      });
      clients.push(createPlatformClient({ baseUrl: server.url as string, token, transport: "connect-json" }));
    }
    const client = (i: number) => clients[i % clients.length] as ReturnType<typeof createPlatformClient>;
    const smallest = await timeCalls((i) => client(i).governance.listTenants({}));
    const pages = await timeCalls((i) =>
      client(i).catalog.listTemplates({
        tenant: (tenants[i % tenants.length] as { name: string }).name,
        pageSize: 100,
      }),
    );
    console.log(
      `  ListTenants over HTTP/JSON (baseline)       p50 ${fmt(median(smallest))}  p99 ${fmt(percentile(smallest, 99))}`,
    );
    console.log(
      `  ListTemplates over HTTP/JSON                p50 ${fmt(median(pages))}  p99 ${fmt(percentile(pages, 99))}   p99 ratio ${(percentile(pages, 99) / percentile(smallest, 99)).toFixed(2)}x (target p99 <= 20 ms)`,
    );
  } finally {
    await server.close();
  }
}

async function main(): Promise<void> {
  validation();
  await listing();
}

void main();
