import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { JobEvents } from "./job-events";
import { StackJobService } from "./job-service";
import { JobStore } from "./job-store";
import { migrate } from "./migrations";
import { PostgresDatabase } from "./postgres-database";
import type { ServiceConfig } from "./service-config";
import type { SqlDatabase } from "./sql-database";
import { SqliteDatabase } from "./sqlite-database";
import { WorkerPool } from "./worker-pool";
import { Workloads } from "./workloads";

export interface JobServerOptions {
  readonly config: ServiceConfig;
  /** The API's bearer token; the API is not served without one. */
  readonly token?: string;
  readonly host?: string;
  readonly port?: number;
  /** Run jobs in this process (default true). */
  readonly workers?: boolean;
  readonly leaseMs?: number;
  readonly pollMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export interface JobServer {
  readonly config: ServiceConfig;
  readonly service: StackJobService;
  /** Where the API listens, when it is served. */
  readonly url?: string;
  readonly workerId?: string;
  close(): Promise<void>;
}

/**
 * The job service assembled: database (SQLite in the data directory, or PostgreSQL), migrations,
 * worker pool and API. Everything it starts, close() stops.
 */
export async function startJobServer(options: JobServerOptions): Promise<JobServer> {
  const { config } = options;
  const workloads = new Workloads(config);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const db: SqlDatabase = config.databaseUrl
    ? PostgresDatabase.open(config.databaseUrl)
    : new SqliteDatabase(join(config.dataDir, "jobs.db"));
  const closers: (() => Promise<void>)[] = [() => db.close()];
  const close = async () => {
    for (const c of closers.reverse()) await c();
  };
  try {
    await migrate(db);
    const store = new JobStore(db);
    const events = new JobEvents();
    let pool: WorkerPool | undefined;
    if (options.workers !== false) {
      pool = new WorkerPool({
        store,
        events,
        config,
        workloads,
        cli: await PulumiCommand.get({ skipVersionCheck: false }),
        soleOwner: db.dialect === "sqlite",
        ...(options.leaseMs !== undefined && { leaseMs: options.leaseMs }),
        ...(options.pollMs !== undefined && { pollMs: options.pollMs }),
        ...(options.env !== undefined && { env: options.env }),
      });
      await pool.start();
      const started = pool;
      closers.push(() => started.close());
    }
    const service = new StackJobService(store, events, config, workloads, pool);
    let url: string | undefined;
    if (options.token !== undefined) {
      // Loaded only when served: a worker-only process needs none of the API's libraries.
      const { startApiServer } = await import("./api/server.js");
      const api = await startApiServer({
        service,
        token: options.token,
        host: options.host ?? "127.0.0.1",
        port: options.port ?? 0,
      });
      url = api.url;
      closers.push(() => api.close());
    }
    return {
      config,
      service,
      ...(url !== undefined && { url }),
      ...(pool !== undefined && { workerId: pool.workerId }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
