import { type Static, Type } from "typebox";

/**
 * `stackwright-jobs.yaml`, declared once: the TypeScript type of the file, the checks of its
 * structure (service-config.ts adds the rules that live in src/core: backends, stack names,
 * environment variable names), and the JSON Schema published for editors
 * (schemas/stackwright-jobs.schema.json, `npm run gen:config-schema`).
 *
 * `errorMessage` is the message for a field that fails, in the service's words; editors that
 * read the published schema (yaml-language-server, VS Code) show it too.
 */

/** The defaults, in the file's units: the schema publishes them and the parser applies them. */
export const FILE_DEFAULTS = {
  concurrency: 4,
  defaultTimeoutSeconds: 600,
  cancelGraceSeconds: 10,
  leaseSeconds: 30,
  // An update of a real stack takes minutes; a job should outwait one, not give up after seconds.
  lockWaitSeconds: 300,
  api: { maxConnections: 512, headersTimeoutSeconds: 10, idleTimeoutSeconds: 60 },
  temporal: { namespace: "default", taskQueue: "stackwright" },
} as const;

export const SECRET_SOURCE_EXPECTED =
  "expected {fromEnv: VARIABLE} or {fromFile: path}; secret values are never written in this file";
export const WORKLOAD_REFERENCE_EXPECTED = "expected the name of a workload under 'workloads'";

const seconds = (description: string, defaultSeconds?: number) =>
  Type.Number({
    exclusiveMinimum: 0,
    description,
    ...(defaultSeconds !== undefined && { default: defaultSeconds }),
  });

/** Where a secret's value comes from; the value itself is never in the file. */
const secretSource = (description: string) =>
  Type.Union(
    [
      Type.Object(
        { fromEnv: Type.String({ minLength: 1, description: "An environment variable of the service." }) },
        { additionalProperties: false },
      ),
      Type.Object(
        {
          fromFile: Type.String({
            minLength: 1,
            description: "A file holding the value, relative to this file.",
          }),
        },
        { additionalProperties: false },
      ),
    ],
    { description, errorMessage: SECRET_SOURCE_EXPECTED },
  );

export const SecretSourceSchema = secretSource("Where a secret value comes from, read when a job starts.");

/** The service's database: the same rule for the file's `database` and $STACKWRIGHT_DATABASE_URL. */
export const DatabaseUrlSchema = Type.String({
  pattern: "^postgres(ql)?://",
  description:
    "A PostgreSQL URL (postgres:// or postgresql://); default: $STACKWRIGHT_DATABASE_URL, else SQLite at <dataDir>/jobs.db.",
  errorMessage: "expected a postgres:// or postgresql:// URL (leave it out for SQLite)",
});

const ApiSchema = Type.Object(
  {
    maxConnections: Type.Optional(
      Type.Integer({
        exclusiveMinimum: 0,
        default: FILE_DEFAULTS.api.maxConnections,
        description: "Open connections at most; more are closed on arrival.",
      }),
    ),
    headersTimeoutSeconds: Type.Optional(
      seconds(
        "How long a client has to send a request's headers (from connecting), and then its body.",
        FILE_DEFAULTS.api.headersTimeoutSeconds,
      ),
    ),
    idleTimeoutSeconds: Type.Optional(
      seconds(
        "A connection with no request in progress is closed after this long.",
        FILE_DEFAULTS.api.idleTimeoutSeconds,
      ),
    ),
  },
  {
    additionalProperties: false,
    description: "What one client may take of the API.",
    errorMessage: "expected a mapping with maxConnections, headersTimeoutSeconds or idleTimeoutSeconds",
  },
);

const ComponentSchema = Type.Object(
  {
    schema: Type.String({
      minLength: 1,
      description: "The component's Pulumi package schema (schema.json or .yaml), relative to this file.",
      errorMessage: "expected the path of the component's Pulumi package schema",
    }),
    token: Type.Optional(
      Type.String({
        description: "The component's type token; needed when the package has more than one component.",
        errorMessage: "expected a type token such as acme:index:Database",
      }),
    ),
    spec: Type.Record(Type.String(), Type.Unknown(), {
      description: "The component's inputs, as a Kratix request's spec.",
      errorMessage: "expected a mapping: the component's inputs",
    }),
  },
  {
    additionalProperties: false,
    description: "A component request, run as the Pulumi YAML program the Program stage emits.",
    errorMessage: "expected a mapping with schema, token and spec",
  },
);

const WorkloadSchema = Type.Object(
  {
    project: Type.Optional(
      Type.String({
        minLength: 1,
        description: "A Pulumi project directory, relative to this file; only read, never written.",
        errorMessage: "expected the path of a Pulumi project directory",
      }),
    ),
    component: Type.Optional(ComponentSchema),
  },
  {
    additionalProperties: false,
    oneOf: [{ required: ["project"] }, { required: ["component"] }],
    description: "What a stack deploys: a Pulumi project, or a component request.",
    errorMessage: "expected exactly one of 'project' (a Pulumi project directory) or 'component'",
  },
);

const StackSchema = Type.Object(
  {
    workload: Type.String({
      description: "The name of a workload under 'workloads'.",
      errorMessage: WORKLOAD_REFERENCE_EXPECTED,
    }),
    backend: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "The Pulumi backend URL (https://, file://, s3://, azblob://, gs://, postgres://), without credentials; default: file://<dataDir>/state.",
      }),
    ),
    passphrase: secretSource("The stack's secrets passphrase."),
    credentials: Type.Optional(
      Type.Record(Type.String(), secretSource("Where this variable's value comes from."), {
        description:
          "Environment variables of this stack's engine only: variable name → where its value comes from.",
        errorMessage:
          "expected a mapping of environment variable name to {fromEnv: VARIABLE} or {fromFile: path}",
      }),
    ),
    config: Type.Optional(
      Type.Record(
        Type.String(),
        // null is kept: an empty YAML value has always been read as the text "null".
        Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()], {
          errorMessage: "expected a string, number or boolean",
        }),
        {
          description: "Plain stack configuration: key → value.",
          errorMessage: "expected a mapping of config key to value",
        },
      ),
    ),
    secretConfig: Type.Optional(
      Type.Record(Type.String(), secretSource("Where this key's value comes from."), {
        description: "Secret stack configuration, set encrypted: key → where its value comes from.",
        errorMessage: "expected a mapping of config key to {fromEnv: VARIABLE} or {fromFile: path}",
      }),
    ),
    pluginPaths: Type.Optional(
      Type.Array(Type.String(), {
        description: "Directories searched first for provider plugins, relative to this file.",
        errorMessage: "expected a list of directories",
      }),
    ),
    timeoutSeconds: Type.Optional(seconds("This stack's job timeout; default: defaultTimeoutSeconds.")),
  },
  {
    additionalProperties: false,
    description: "A stack the service runs jobs on.",
    errorMessage: "expected a mapping with at least 'workload' and 'passphrase'",
  },
);

/** A PEM file of the Temporal TLS settings, relative to the configuration file. */
const pemFile = (description: string) =>
  Type.String({ minLength: 1, description, errorMessage: "expected the path of a PEM file" });

const TemporalTlsSchema = Type.Object(
  {
    serverName: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "The name the server's certificate is checked against (and sent as SNI), when it is not the address's host.",
      }),
    ),
    serverRootCACertificate: Type.Optional(
      pemFile(
        "The CA certificate (PEM) that signed the server's, relative to this file; default: the system's trusted CAs.",
      ),
    ),
    clientCertificate: Type.Optional(
      pemFile(
        "This service's client certificate (PEM) for mutual TLS, relative to this file; with clientPrivateKey.",
      ),
    ),
    clientPrivateKey: Type.Optional(
      secretSource("The client certificate's private key (PEM), for mutual TLS; with clientCertificate."),
    ),
  },
  {
    additionalProperties: false,
    description: "Connect to the Temporal cluster over TLS; {} for TLS trusting the system's CAs.",
    errorMessage:
      "expected a mapping with serverName, serverRootCACertificate, clientCertificate or clientPrivateKey",
  },
);

const TEMPORAL_ADDRESS_EXPECTED = "expected host:port, such as temporal.example.com:7233 (no scheme)";

const TemporalSchema = Type.Object(
  {
    address: Type.Optional(
      Type.String({
        pattern: "^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):[1-9][0-9]{0,4}$",
        description:
          "An existing Temporal cluster's frontend (host:port), shared by the workers of every machine; default: an embedded Temporal dev server on 127.0.0.1, its state in <dataDir>/temporal.",
        errorMessage: TEMPORAL_ADDRESS_EXPECTED,
      }),
    ),
    namespace: Type.Optional(
      Type.String({
        minLength: 1,
        default: FILE_DEFAULTS.temporal.namespace,
        description: "The Temporal namespace the service's workflows run in; the embedded server creates it.",
      }),
    ),
    taskQueue: Type.Optional(
      Type.String({
        minLength: 1,
        default: FILE_DEFAULTS.temporal.taskQueue,
        description:
          "The task queue the service's workers poll: services on one cluster and queue share the work.",
      }),
    ),
    tls: Type.Optional(TemporalTlsSchema),
  },
  {
    additionalProperties: false,
    description:
      "Where deploy workflows run: an existing Temporal cluster (address, namespace, TLS), or by default an embedded dev server.",
    errorMessage: "expected a mapping with address, namespace, taskQueue or tls",
  },
);

export const STATE_STORE_DEFAULTS = { region: "us-east-1", bucketPrefix: "stackwright-" } as const;

/** What both kinds of S3 store take besides where the server is. */
const s3Common = {
  region: Type.Optional(
    Type.String({
      minLength: 1,
      default: STATE_STORE_DEFAULTS.region,
      description: "The region the store's requests are signed for.",
    }),
  ),
  bucketPrefix: Type.Optional(
    Type.String({
      // A tenant's bucket is this prefix and its 36-character id: at most 63 characters in all.
      pattern: "^[a-z0-9][a-z0-9-]{0,26}$",
      default: STATE_STORE_DEFAULTS.bucketPrefix,
      description:
        "Each tenant's bucket (and identity) is named this prefix and the tenant's id: several services may share a store under prefixes of their own.",
      errorMessage: "expected at most 27 lower-case letters, digits and '-', starting with a letter or digit",
    }),
  ),
};

const S3StoreSchema = Type.Object(
  {
    embedded: Type.Optional(
      Type.Literal(true, {
        description:
          "`stackwright serve` runs SeaweedFS (`weed mini`, $STACKWRIGHT_WEED_BIN) itself on 127.0.0.1, on free ports, its data in <dataDir>/s3.",
        errorMessage: "expected true (or leave it out and give endpoint and adminCredentials)",
      }),
    ),
    endpoint: Type.Optional(
      Type.String({
        pattern: "^https?://[^/@?#\\s]+/?$",
        description:
          "A SeaweedFS server of yours, http:// or https://host:port, serving the IAM API (CreateUser, CreateAccessKey, PutUserPolicy) on its S3 port.",
        errorMessage: "expected http:// or https:// and host:port, with no path and no credentials",
      }),
    ),
    adminCredentials: Type.Optional(
      Type.Object(
        {
          accessKeyId: secretSource("An access key of the store's admin identity."),
          secretAccessKey: secretSource("Its secret key."),
        },
        {
          additionalProperties: false,
          description:
            "With endpoint: an identity that may create buckets and IAM users, with which the service gives each tenant a bucket and an identity of its own.",
          errorMessage: "expected a mapping with accessKeyId and secretAccessKey",
        },
      ),
    ),
    ...s3Common,
  },
  {
    additionalProperties: false,
    oneOf: [{ required: ["embedded"] }, { required: ["endpoint", "adminCredentials"] }],
    description: "An S3-compatible store: an embedded SeaweedFS, or a server of yours.",
    errorMessage: "expected either embedded: true, or endpoint and adminCredentials",
  },
);

const StateStoreSchema = Type.Object(
  { s3: Type.Optional(S3StoreSchema) },
  {
    additionalProperties: false,
    description:
      "Where tenant stacks keep their Pulumi state: by default files under <dataDir>/tenant-state; with s3, an S3-compatible store where each tenant has a bucket and an identity of its own.",
    errorMessage: "expected a mapping: {} (files) or {s3: …}",
  },
);

export const ServiceConfigSchema = Type.Object(
  {
    dataDir: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "Where the service keeps its database, workspaces, API token and default backend, relative to this file; default: $STACKWRIGHT_DATA_DIR, else ./.stackwright.",
      }),
    ),
    database: Type.Optional(DatabaseUrlSchema),
    concurrency: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        default: FILE_DEFAULTS.concurrency,
        description: "Jobs running at once in one process.",
      }),
    ),
    defaultTimeoutSeconds: Type.Optional(
      seconds(
        "A job's timeout, unless its stack or its request sets one.",
        FILE_DEFAULTS.defaultTimeoutSeconds,
      ),
    ),
    cancelGraceSeconds: Type.Optional(
      seconds(
        "After a canceled or timed-out job's interrupt, how long before everything it started is killed.",
        FILE_DEFAULTS.cancelGraceSeconds,
      ),
    ),
    leaseSeconds: Type.Optional(
      seconds(
        "A dead worker's jobs are taken over this long after its last heartbeat.",
        FILE_DEFAULTS.leaseSeconds,
      ),
    ),
    lockWaitSeconds: Type.Optional(
      seconds(
        "How long a job waits, trying again, for a stack that another update holds.",
        FILE_DEFAULTS.lockWaitSeconds,
      ),
    ),
    api: Type.Optional(ApiSchema),
    templateInstallsDir: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "Where catalogue templates' installed dependencies are kept, one set per lockfile, relative to this file; may be shared by several services; default: <dataDir>/templates/installs.",
      }),
    ),
    tenantSandbox: Type.Optional(
      Type.Union([Type.Literal("bubblewrap"), Type.Literal("off")], {
        default: "bubblewrap",
        description:
          "How tenants' template programs run: in a bubblewrap sandbox that hides the service's files (the default), or off, only where every template author is trusted with them.",
        errorMessage: "expected bubblewrap or off",
      }),
    ),
    temporal: Type.Optional(TemporalSchema),
    stateStore: Type.Optional(StateStoreSchema),
    workloads: Type.Optional(
      Type.Record(Type.String(), WorkloadSchema, {
        description: "Workload name → what it deploys.",
        errorMessage: "expected a mapping of workload name to workload",
      }),
    ),
    stacks: Type.Optional(
      Type.Record(Type.String(), StackSchema, {
        description: "Stack name in full (org/project/stack) → its settings.",
        errorMessage: "expected a mapping of org/project/stack to stack settings",
      }),
    ),
  },
  {
    additionalProperties: false,
    title: "Stackwright job service configuration",
    description: "stackwright serve --config stackwright-jobs.yaml: see docs/job-service.md.",
    errorMessage: "expected a mapping at the top level",
  },
);

/** The file as written: every field the user may set, before defaults and paths are resolved. */
export type ServiceConfigFile = Static<typeof ServiceConfigSchema>;
export type StackFile = Static<typeof StackSchema>;
export type WorkloadFile = Static<typeof WorkloadSchema>;
export type SecretSource = Readonly<Static<typeof SecretSourceSchema>>;
export type StateStoreFile = Static<typeof StateStoreSchema>;
export type TemporalFile = Static<typeof TemporalSchema>;
