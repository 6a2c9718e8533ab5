import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { ServiceConfig, StateStoreSettings } from "../config/service-config";
import type { Envelope } from "../secrets/envelope";
import { SealedSecretStore } from "../store/sealed-secret-store";
import type { SqlExecutor } from "../store/sql-database";
import { readSecret } from "../workspace/stack-environment";
import { embeddedEndpoint, startEmbeddedSeaweedfs, weedBinary } from "./embedded-seaweedfs";
import { S3Admin, type S3Credentials } from "./s3-admin";

/**
 * Where tenant stacks keep their Pulumi state. The file store keeps each stack's in a directory
 * of the data directory; an S3 store gives each tenant a bucket of its own and an identity that
 * may reach only that bucket, and its stacks' engines that identity's key alone.
 */
export interface StateStore {
  /**
   * The state location of a new stack, recorded on it: a `file://` URL, or
   * `s3://<bucket>/<stack id>?region=…&use_path_style=true` (where the store is is added when a
   * job runs, so a store that moves, or an embedded one on new ports, keeps its stacks).
   */
  locationFor(tenantId: string, stackId: string): string;
  /**
   * How the engine of a job on the stack whose state is at `location` reaches it: the backend URL
   * and the variables its environment needs, the tenant's own S3 key for an S3 location (its
   * bucket and identity made the first time), none for a file.
   */
  engineAccess(tenantId: string, location: string): Promise<EngineAccess>;
  /** Stops what the store started (the embedded SeaweedFS). */
  close(): Promise<void>;
}

export interface EngineAccess {
  readonly backend: string;
  readonly environment: Readonly<Record<string, string>>;
}

export interface StateStoreDependencies {
  readonly db: SqlExecutor;
  readonly envelope: Envelope;
  /** The service's environment: the admin credentials' variables, $STACKWRIGHT_WEED_BIN. */
  readonly env: NodeJS.ProcessEnv;
}

/** The sealed-secret owner of a tenant's S3 key, and of the embedded store's admin key. */
export const tenantStateSecretOwner = (tenantId: string) => `state-store:tenant:${tenantId}`;
export const EMBEDDED_ADMIN_OWNER = "state-store:embedded-admin";
const KEY_NAME = "s3-key";

/**
 * What the engine's S3 client reads its key from (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are
 * the tenant's S3 key): a tenant credential of one of these names would take the key's place.
 */
export const STATE_RESERVED_VARIABLES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
] as const;

/**
 * The state store the configuration names. `serve`: the service's own, which starts the embedded
 * SeaweedFS (and stops it on close). `jobs`: the same store as the worker thread uses it, which
 * starts nothing and finds the embedded one where `serve` said it listens.
 */
export async function openStateStore(
  config: ServiceConfig,
  deps: StateStoreDependencies,
  role: "serve" | "jobs",
): Promise<StateStore> {
  const settings = config.stateStore;
  if (settings.kind === "file") return new FileStateStore(config.dataDir);
  if (settings.kind === "s3") {
    const { accessKeyId, secretAccessKey } = settings.adminCredentials;
    const at = "stateStore.s3.adminCredentials";
    return new S3StateStore(settings, deps, {
      endpoint: () => settings.endpoint,
      admin: async () => ({
        accessKeyId: readSecret(accessKeyId, `${at}.accessKeyId`, deps.env),
        secretAccessKey: readSecret(secretAccessKey, `${at}.secretAccessKey`, deps.env),
      }),
    });
  }
  const admin = () => sealedKey(deps, EMBEDDED_ADMIN_OWNER);
  if (role === "jobs")
    return new S3StateStore(settings, deps, { endpoint: () => embeddedEndpoint(config.dataDir), admin });
  const server = await startEmbeddedSeaweedfs({
    binary: weedBinary(deps.env),
    dataDir: config.dataDir,
    region: settings.region,
    admin: await admin(),
    env: deps.env,
  });
  return new S3StateStore(settings, deps, { endpoint: () => server.endpoint, admin, stop: server.stop });
}

/** Today's store: each stack's state in `<dataDir>/tenant-state/<tenant>/<stack>`. */
class FileStateStore implements StateStore {
  constructor(private readonly dataDir: string) {}

  locationFor(tenantId: string, stackId: string): string {
    return pathToFileURL(join(this.dataDir, "tenant-state", tenantId, stackId)).href;
  }

  async engineAccess(tenantId: string, location: string): Promise<EngineAccess> {
    if (!location.startsWith("s3://")) return { backend: location, environment: {} };
    throw new Error(
      `the stack's state is in an S3 store (${withoutQuery(location)}), and the service's stateStore is file: configure stateStore.s3 again to reach it (tenant ${tenantId})`,
    );
  }

  async close(): Promise<void> {
    // Nothing started.
  }
}

class S3StateStore implements StateStore {
  /** Tenants provisioned by this process (or being): each is provisioned once per process. */
  private readonly provisioned = new Map<string, Promise<S3Credentials>>();

  constructor(
    private readonly settings: Extract<StateStoreSettings, { kind: "s3" | "embedded-s3" }>,
    private readonly deps: StateStoreDependencies,
    private readonly server: {
      endpoint(): string;
      admin(): Promise<S3Credentials>;
      stop?: () => Promise<void>;
    },
  ) {}

  locationFor(tenantId: string, stackId: string): string {
    const query = new URLSearchParams({ region: this.settings.region, use_path_style: "true" });
    return `s3://${this.bucketOf(tenantId)}/${stackId}?${query}`;
  }

  async engineAccess(tenantId: string, location: string): Promise<EngineAccess> {
    if (!location.startsWith("s3://")) return { backend: location, environment: {} };
    const key = await this.provision(tenantId);
    const url = new URL(location);
    url.searchParams.set("endpoint", this.server.endpoint());
    return {
      backend: url.href,
      environment: { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey },
    };
  }

  async close(): Promise<void> {
    await this.server.stop?.();
  }

  /** `<bucketPrefix><tenant id>`: the tenant's bucket, and its identity's name. */
  private bucketOf(tenantId: string): string {
    return `${this.settings.bucketPrefix}${tenantId.toLowerCase()}`;
  }

  /**
   * The tenant's S3 key, its bucket and identity made on the store: the key is generated and
   * sealed first (so a failure half-way is finished by the next job, with the same key), then
   * the identity holding it, allowed only the bucket, and the bucket.
   */
  private provision(tenantId: string): Promise<S3Credentials> {
    let provisioning = this.provisioned.get(tenantId);
    if (provisioning === undefined) {
      provisioning = (async () => {
        const key = await sealedKey(this.deps, tenantStateSecretOwner(tenantId));
        const admin = new S3Admin(this.server.endpoint(), this.settings.region, await this.server.admin());
        const bucket = this.bucketOf(tenantId);
        await admin.ensureIdentity(bucket, key, bucket);
        await admin.ensureBucket(bucket);
        return key;
      })();
      this.provisioned.set(tenantId, provisioning);
      // A failure is not remembered: the next job tries again.
      provisioning.catch(() => this.provisioned.delete(tenantId));
    }
    return provisioning;
  }
}

/**
 * The S3 key sealed under `owner`, generated and sealed the first time. Whoever seals first wins
 * (across processes too); every caller gets that one.
 */
async function sealedKey(deps: StateStoreDependencies, owner: string): Promise<S3Credentials> {
  const secrets = new SealedSecretStore(deps.db);
  const context = `${owner}/${KEY_NAME}`;
  const generated: S3Credentials = {
    // SeaweedFS takes 4 to 128 letters and digits for an id, 8 to 128 characters for a secret.
    accessKeyId: `SW${randomBytes(10).toString("hex").toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString("base64url"),
  };
  await secrets.addIfAbsent(owner, KEY_NAME, deps.envelope.seal(JSON.stringify(generated), context));
  const sealed = (await secrets.all(owner)).get(KEY_NAME);
  if (sealed === undefined) throw new Error(`the state store's key for ${owner} vanished`);
  return JSON.parse(deps.envelope.open(sealed, context)) as S3Credentials;
}

function withoutQuery(location: string): string {
  return location.split("?")[0] ?? location;
}
