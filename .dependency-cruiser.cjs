/**
 * The direction of imports, checked by `npm run lint` (dependency-cruiser): a wrong-way import
 * fails the build. Each table below is the one place its layering is written down; the rules are
 * derived from it.
 *
 * src/: core is the pure translation core and imports nothing of ours; io reads files for it;
 * stages, promise, components and jobs are the products, each built on core (and io), never on
 * one another; catalog holds the template catalogue's rules (pure, on core), which the job
 * service enforces; cli wires the products into commands. provider serves components. Nothing in src/
 * or provider/ imports tests, scripts or benchmarks. console/ is the web console, a browser program
 * over the API's generated code alone.
 */
const PRODUCT_AREAS = {
  core: [],
  io: ["core"],
  stages: ["core", "io"],
  promise: ["core", "io"],
  components: ["core", "io"],
  catalog: ["core"],
  jobs: ["core", "io", "catalog"],
  cli: ["core", "io", "stages", "promise", "components", "catalog", "jobs"],
};

/**
 * src/jobs/, lowest layer first, with what each may import. The composition root
 * (start-job-server.ts) sits above them all; the API sees the service only through the contracts
 * in domain/, never the store, the runner or the workers behind them.
 */
const JOB_LAYERS = {
  domain: [],
  config: ["domain"],
  redaction: [],
  secrets: [],
  store: ["domain", "config"],
  engine: ["domain", "config", "redaction"],
  workspace: ["domain", "config"],
  // Where tenant stacks keep their state: files, or an S3 store (an embedded SeaweedFS or the operator's).
  "state-store": ["domain", "config", "store", "secrets", "workspace"],
  run: ["domain", "config", "store", "redaction", "secrets", "engine", "workspace", "state-store"],
  workers: ["domain", "config", "store", "redaction", "secrets", "engine", "workspace", "run"],
  service: ["domain", "config", "store", "secrets", "workspace"],
  transport: ["config"],
  api: ["domain", "config", "secrets", "transport"],
  // The Temporal the service runs on: the embedded dev server or a configured cluster.
  temporal: ["domain", "config"],
  // Workflow definitions run in Temporal's deterministic sandbox: the domain's types, nothing with effects.
  workflows: ["domain"],
  // The workflows' activities (every side effect they have) and the worker and client that run them.
  deployments: ["domain", "config", "store", "temporal", "workflows"],
};

const oneOf = (names) => `(${names.join("|")})`;

const areaRules = Object.entries(PRODUCT_AREAS).map(([area, allowed]) => ({
  name: `src-${area}-imports-only-${allowed.length === 0 ? "itself" : allowed.join("-")}`,
  comment: `src/${area} may import ${allowed.length === 0 ? "nothing else of ours" : `only src/{${allowed.join(",")}}`} (.dependency-cruiser.cjs, PRODUCT_AREAS)`,
  severity: "error",
  from: { path: `^src/${area}/` },
  to: { path: "^(src|provider)/", pathNot: `^src/${oneOf([area, ...allowed])}/` },
}));

const jobLayerRules = Object.entries(JOB_LAYERS).map(([layer, allowed]) => ({
  name: `jobs-${layer}-imports-only-${allowed.length === 0 ? "itself" : allowed.join("-")}`,
  comment: `src/jobs/${layer} may import ${allowed.length === 0 ? "no other job layer" : `only src/jobs/{${allowed.join(",")}}`} (.dependency-cruiser.cjs, JOB_LAYERS)`,
  severity: "error",
  from: { path: `^src/jobs/${layer}/` },
  to: { path: "^src/jobs/", pathNot: `^src/jobs/${oneOf([layer, ...allowed])}/` },
}));

module.exports = {
  forbidden: [
    ...areaRules,
    ...jobLayerRules,
    {
      name: "jobs-files-belong-to-a-layer",
      comment: "every module of src/jobs/ lives in a layer folder, except the composition root",
      severity: "error",
      from: {},
      to: { path: "^src/jobs/[^/]+\\.ts$", pathNot: "^src/jobs/start-job-server\\.ts$" },
    },
    {
      name: "cli-loads-the-service-only-to-serve",
      comment:
        "the service (Temporal's worker, the engine's SDK, database drivers) takes over a second to load: the CLI loads it by dynamic import when it serves, so no other command pays for it",
      severity: "error",
      from: { path: "^src/cli/" },
      to: { path: "^src/jobs/start-job-server\\.ts$", dependencyTypesNot: ["dynamic-import", "type-only"] },
    },
    {
      name: "provider-serves-components",
      comment: "the provider plugin builds on the components (and core), nothing else of ours",
      severity: "error",
      from: { path: "^provider/" },
      to: { path: "^src/", pathNot: "^src/(components|core|io)/" },
    },
    {
      name: "shipped-code-imports-no-dev-tooling",
      comment: "src/ and provider/ ship in the package: no test harness, script or benchmark in them",
      severity: "error",
      from: { path: "^(src|provider)/" },
      to: { path: "^(test|scripts|bench)/" },
    },
    {
      name: "console-imports-only-the-generated-api",
      comment:
        "the web console (console/) runs in the browser and talks to the service over the API: of our code it imports only the API's generated messages and services",
      severity: "error",
      from: { path: "^console/" },
      to: { path: "^(src|provider|test|scripts|bench)/", pathNot: "^src/jobs/api/gen/" },
    },
    {
      name: "nothing-imports-the-console",
      comment: "the console is a separate program, built by Vite; the service serves its files, never imports them",
      severity: "error",
      from: { path: "^(src|provider)/" },
      to: { path: "^console/" },
    },
    {
      name: "no-circular",
      comment: "a cycle hides which module is the lower layer",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^src/jobs/api/gen/" },
  },
};
