import { dataProblem, MAX_MANIFEST_BYTES, REQUEST_LIMITS } from "./bounds";
import { type Problem, StackwrightInputError } from "./errors";
import type { ObjectMeta as KubernetesObjectMeta } from "./generated/object-meta";
import type { Program } from "./generated/pko-program";
import type { Stack } from "./generated/pko-stack";
import { type ComponentInputs, deriveComponentInputs, type SecretInput } from "./input-schema";
import { type ObjectNames, objectNames } from "./naming";
import { ownValue, setOwn } from "./own";
import { isPlainObject, type PackageSchema, type SelectedComponent, selectComponent } from "./package-schema";
import { builtinKeyProblems, escapeInterpolation, escapeText } from "./pulumi-yaml-text";
import { passThrough, type ResourceRequest } from "./request";
import { checkStackOptions, OPTION_FIELDS, type StackOptionFields, type StackOptions } from "./stack-options";
import { createSpecValidator, type SpecValidator } from "./validate-spec";
import { toYaml } from "./yaml";

/**
 * The metadata Stackwright sets on the objects it emits: always a name and a namespace; labels
 * and annotations when the request has some. The PKO CRDs leave `metadata` to Kubernetes.
 */
export interface ObjectMeta extends KubernetesObjectMeta {
  name: string;
  namespace: string;
}

type PkoProgram = NonNullable<Program["program"]>;
type PkoResource = NonNullable<PkoProgram["resources"]>[string];

/** The component's resource in the Program: its type and properties are always set. */
interface ProgramResource extends PkoResource {
  type: string;
  properties: Record<string, unknown>;
}

/**
 * The Program Stackwright emits: PKO's Program, typed from its CRD (src/core/generated/), with
 * what is always set made required; `extends` has the compiler hold every field to the CRD's type.
 */
export interface ProgramManifest extends Program {
  apiVersion: "pulumi.com/v1";
  kind: "Program";
  metadata: ObjectMeta;
  program: PkoProgram & {
    resources: Record<string, ProgramResource>;
    /** Each an interpolation of one of the component's outputs. */
    outputs?: Record<string, string>;
  };
}

type PkoStackSpec = NonNullable<Stack["spec"]>;
type PkoResourceRef = NonNullable<PkoStackSpec["envRefs"]>[string];

/** A key of a Kubernetes Secret, as the Stack's envRefs and secretsRef point at it. */
interface SecretKeyRef extends PkoResourceRef {
  type: "Secret";
  secret: NonNullable<PkoResourceRef["secret"]>;
}

/** The Stack Stackwright emits: PKO's Stack, typed from its CRD, as ProgramManifest is. */
export interface StackManifest extends Stack {
  apiVersion: "pulumi.com/v1";
  kind: "Stack";
  metadata: ObjectMeta;
  spec: PkoStackSpec & {
    stack: string;
    backend: string;
    programRef: NonNullable<PkoStackSpec["programRef"]>;
    secretsRef?: Record<string, SecretKeyRef>;
    envRefs?: Record<string, SecretKeyRef>;
  };
}

/**
 * A component ready to translate requests: the schema work (picking the component, deriving its
 * input schema, compiling the validator) is done once here, so each translation is cheap.
 */
export interface PreparedComponent {
  readonly component: SelectedComponent;
  readonly inputs: ComponentInputs;
  /** The Program's name for the component's resource (`program.resources.<logicalName>`). */
  readonly logicalName: string;
  readonly validateSpec: SpecValidator;
}

export function prepareComponent(
  schema: PackageSchema,
  token: string | undefined,
  tokenField = "PULUMI_COMPONENT_TOKEN",
): PreparedComponent {
  const component = selectComponent(schema, token, tokenField);
  const inputs = deriveComponentInputs(component);
  return {
    component,
    inputs,
    logicalName: logicalNameFor(component.token),
    validateSpec: createSpecValidator(inputs),
  };
}

/** Names of the objects a request becomes (see naming.ts for the contract). */
export function namesFor(prepared: PreparedComponent, request: ResourceRequest): ObjectNames {
  return objectNames({
    namespace: request.namespace,
    kind: request.kind,
    name: request.name,
    componentToken: prepared.component.token,
  });
}

/**
 * Checks a request's spec against the component; throws every problem at once. The spec's size
 * and depth come first: every later step walks it.
 */
export function checkRequest(prepared: PreparedComponent, request: ResourceRequest): void {
  const bound = dataProblem(request.spec, "spec", REQUEST_LIMITS);
  if (bound !== undefined) throw new StackwrightInputError([bound]);
  const problems: Problem[] = [
    ...prepared.validateSpec(request.spec),
    ...builtinKeyProblems(request.spec, "spec"),
  ];
  if (problems.length > 0) throw new StackwrightInputError(problems);
}

export function buildProgram(prepared: PreparedComponent, request: ResourceRequest): ProgramManifest {
  checkRequest(prepared, request);
  const { component, inputs, logicalName } = prepared;
  const properties = escapeInterpolation(sortKeys(request.spec)) as Record<string, unknown>;
  for (const secret of inputs.secretInputs) setPath(properties, secret.path, `\${${secret.configKey}}`);

  const packages = packagesFor(component.schema);
  const program: ProgramManifest["program"] = {
    ...(packages !== undefined && { packages }),
    ...(inputs.secretInputs.length > 0 && {
      configuration: Object.fromEntries(
        inputs.secretInputs.map((s) => [s.configKey, { type: s.configType }]),
      ),
    }),
    resources: { [logicalName]: { type: component.token, properties } },
    ...(inputs.outputs.length > 0 && {
      outputs: Object.fromEntries(inputs.outputs.map((o) => [o, `\${${logicalName}.${o}}`])),
    }),
  };
  return fitting({
    apiVersion: "pulumi.com/v1",
    kind: "Program",
    metadata: metadataFor(namesFor(prepared, request).program, request),
    program,
  });
}

/** `fields` name where the backend and the stack name came from, for messages. */
export function buildStack(
  prepared: PreparedComponent,
  request: ResourceRequest,
  options: StackOptions,
  fields: StackOptionFields = OPTION_FIELDS,
): StackManifest {
  checkRequest(prepared, request);
  const names = namesFor(prepared, request);
  checkStackOptions(options, names.program, fields);
  const spec: StackManifest["spec"] = {
    stack: options.stackName,
    backend: options.backend,
    programRef: { name: names.program },
  };
  const secretsRef = secretRefs(prepared.inputs.secretInputs, names.secret);
  if (secretsRef !== undefined) spec.secretsRef = secretsRef;
  const envRefs = envRefsFor(options, names.secret);
  if (envRefs !== undefined) spec.envRefs = envRefs;
  if (options.config !== undefined && Object.keys(options.config).length > 0) {
    spec.config = sortKeys(options.config) as Record<string, unknown>;
  }
  if (options.serviceAccountName !== undefined) spec.serviceAccountName = options.serviceAccountName;
  if (options.destroyOnFinalize !== undefined) spec.destroyOnFinalize = options.destroyOnFinalize;
  return fitting({
    apiVersion: "pulumi.com/v1",
    kind: "Stack",
    metadata: metadataFor(names.stack, request),
    spec,
  });
}

/**
 * `spec.envRefs`: the stack's own Secret's keys, and keys of Secrets the platform keeps. One
 * variable can come from one place only.
 */
function envRefsFor(options: StackOptions, ownSecret: string): StackManifest["spec"]["envRefs"] {
  const refs = new Map<string, SecretKeyRef>();
  for (const [variable, key] of Object.entries(options.secretEnv ?? {}))
    refs.set(variable, secretKeyRef(ownSecret, key));
  for (const [variable, existing] of Object.entries(options.existingSecretEnv ?? {})) {
    if (refs.has(variable))
      throw StackwrightInputError.single(
        variable,
        "comes both from the stack's own Secret and from another Secret; give it one source",
      );
    refs.set(variable, secretKeyRef(existing.secret, existing.key));
  }
  if (refs.size === 0) return undefined;
  return Object.fromEntries(
    [...refs.keys()].sort().map((variable) => [variable, refs.get(variable) as SecretKeyRef]),
  );
}

/** The manifest, when the API server can take it: its JSON within MAX_MANIFEST_BYTES. */
function fitting<T extends ProgramManifest | StackManifest>(manifest: T): T {
  assertFits(manifest, Buffer.byteLength(JSON.stringify(manifest)));
  return manifest;
}

/**
 * A manifest as the YAML file a stage writes, within MAX_MANIFEST_BYTES too: indentation can make
 * deeply nested YAML much larger than its JSON.
 */
export function manifestYaml(manifest: ProgramManifest | StackManifest): string {
  const text = toYaml(manifest);
  assertFits(manifest, Buffer.byteLength(text));
  return text;
}

function assertFits(manifest: ProgramManifest | StackManifest, bytes: number): void {
  if (bytes > MAX_MANIFEST_BYTES) {
    throw StackwrightInputError.single(
      manifest.kind === "Program" ? "spec" : "config",
      `the ${manifest.kind} would take ${bytes} bytes, more than the ${MAX_MANIFEST_BYTES} allowed for one manifest (etcd refuses objects over about 1.5 MiB); make the request smaller`,
    );
  }
}

function secretRefs(secrets: readonly SecretInput[], secretName: string) {
  if (secrets.length === 0) return undefined;
  return Object.fromEntries(secrets.map((s) => [s.configKey, secretKeyRef(secretName, s.configKey)]));
}

function secretKeyRef(name: string, key: string): SecretKeyRef {
  return { type: "Secret", secret: { name, key } };
}

function metadataFor(name: string, request: ResourceRequest): ObjectMeta {
  const metadata: ObjectMeta = { name, namespace: request.namespace };
  const labels = passThrough(request.labels);
  const annotations = passThrough(request.annotations);
  if (Object.keys(labels).length > 0) metadata.labels = labels;
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  return metadata;
}

/**
 * Where the package comes from, as PKO's `program.packages` (`name: source@version`). PKO holds
 * these as plain strings, which cannot carry a parameterization's parameter: a parameterized
 * package gets no entry and must be installed in the stack's workspace (see docs/stages.md, "What is
 * generated").
 */
/** The Program's `packages` entry for the component's package, when the schema names a plain version. */
export function packagesFor(schema: PackageSchema): Record<string, string> | undefined {
  if (schema.parameterization !== undefined || schema.version === undefined) return undefined;
  return { [schema.name]: `${schema.name}@${schema.version}` };
}

/** `acme:index:DatabaseCluster` → `databaseCluster`. */
export function logicalNameFor(token: string): string {
  const last = token.split(":").pop() ?? token;
  const cleaned = last.replace(/[^A-Za-z0-9]/g, "");
  const name = cleaned.charAt(0).toLowerCase() + cleaned.slice(1);
  return /^[a-z]/.test(name) ? name : `component${cleaned}`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys(value[k])]),
    );
  }
  return value;
}

/** Sets `value` at `path` of the (already escaped) properties; the path's names are escaped too. */
function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const segment of path.slice(0, -1).map(escapeText)) {
    let child = ownValue(node, segment);
    if (!isPlainObject(child)) {
      child = {};
      setOwn(node, segment, child);
    }
    node = child as Record<string, unknown>;
  }
  setOwn(node, escapeText(path[path.length - 1] as string), value);
}
