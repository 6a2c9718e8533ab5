import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackwrightInputError } from "../core/errors";
import { fileSource } from "../core/input-file";
import {
  buildProgram,
  buildStack,
  namesFor,
  type PreparedComponent,
  type ProgramManifest,
  prepareComponent,
  type StackManifest,
} from "../core/manifests";
import { isPlainObject, parsePackageSchema } from "../core/package-schema";
import type { ResourceRequest } from "../core/request";
import { readInputFile } from "../io/input-files";
import { defaultAccessToken } from "./access-token";
import { type ProgramStackArgs, ProgramStackBase } from "./schema-types";

interface Rendered {
  readonly program: ProgramManifest;
  readonly stack: StackManifest;
  readonly secretName: string;
  readonly namespace: string;
  /** Secret inputs by configuration key, and credentials by variable name: values may be Outputs. */
  readonly secretData: Record<string, pulumi.Input<unknown>>;
}

/**
 * A Pulumi Kubernetes Operator Program and Stack for one Pulumi component, and the Secret holding
 * the stack's credentials and the component's secret inputs: built by the same translation core
 * as the Kratix stages, so the same request gives the same objects either way.
 */
export class ProgramStack extends ProgramStackBase {
  readonly programName: pulumi.Output<string>;
  readonly stackName: pulumi.Output<string>;
  readonly secretName: pulumi.Output<string>;
  readonly program: k8s.apiextensions.CustomResource;
  readonly stack: k8s.apiextensions.CustomResource;
  readonly secret: k8s.core.v1.Secret;

  constructor(name: string, args: ProgramStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, opts);
    const accessToken = defaultAccessToken();
    // Bad input fails at this constructor with the stages' messages whenever the values the
    // rendering reads are known now; only when they are Outputs is the check made once they resolve.
    const now = renderNow(name, args, accessToken);
    const later =
      now === undefined
        ? pulumi.output(args).apply((resolved) => render(name, resolved, accessToken))
        : undefined;
    // Secret inputs and credentials went to the Secret: the manifests hold no secret value, so
    // they are plain, and readable in state, even when an input Output was secret. Known now, they
    // go to the children as plain values: no Output to resolve per field.
    const part = <T>(pick: (r: Rendered) => T): pulumi.Input<T> =>
      now !== undefined ? pick(now) : pulumi.unsecret((later as pulumi.Output<Rendered>).apply(pick));
    const data = pulumi.secret(
      now !== undefined
        ? pulumi.output(now.secretData).apply(asSecretStrings)
        : (later as pulumi.Output<Rendered>).apply((r) => pulumi.output(r.secretData).apply(asSecretStrings)),
    );
    const place = part((r) => ({ name: r.secretName, namespace: r.namespace }));
    const children = { parent: this };
    this.secret = new k8s.core.v1.Secret(
      `${name}-secret`,
      {
        metadata: place,
        type: "Opaque",
        stringData: data,
      },
      children,
    );
    this.program = new k8s.apiextensions.CustomResource(
      `${name}-program`,
      {
        apiVersion: "pulumi.com/v1",
        kind: "Program",
        metadata: part((r) => r.program.metadata),
        program: part((r) => r.program.program),
      },
      children,
    );
    this.stack = new k8s.apiextensions.CustomResource(
      `${name}-stack`,
      {
        apiVersion: "pulumi.com/v1",
        kind: "Stack",
        metadata: part((r) => r.stack.metadata),
        spec: part((r) => r.stack.spec),
      },
      // The operator needs the Program and the Secret before it can run the Stack.
      { ...children, dependsOn: [this.program, this.secret] },
    );
    this.programName = pulumi.output(part((r) => r.program.metadata.name));
    this.stackName = pulumi.output(part((r) => r.stack.metadata.name));
    this.secretName = pulumi.output(part((r) => r.secretName));
    this.registerSchemaOutputs();
  }
}

type ResolvedArgs = pulumi.Unwrap<ProgramStackArgs>;

/** True when nothing in `value` is an Output or a Promise: its values are known now. */
function isPlain(value: unknown): boolean {
  if (pulumi.Output.isInstance(value) || value instanceof Promise) return false;
  if (Array.isArray(value)) return value.every(isPlain);
  if (isPlainObject(value)) return Object.values(value).every(isPlain);
  return true;
}

/**
 * Renders at once when every value the rendering reads is known. Secret inputs and credential
 * values may still be Outputs (a secret from stack config, say): they only travel to the Secret.
 * Undefined when something else is not known yet.
 */
function renderNow(
  name: string,
  args: ProgramStackArgs,
  accessToken: string | undefined,
): Rendered | undefined {
  const { inputs, credentials, ...rest } = args;
  if (!isPlain(rest)) return undefined;
  if (inputs !== undefined && !isPlainObject(inputs)) return undefined;
  if (credentials !== undefined && !isPlainObject(credentials)) return undefined;
  const request = prepareRequest(name, args as ResolvedArgs);
  return isPlain(request.spec) ? renderRequest(request, args as ResolvedArgs, accessToken) : undefined;
}

function render(name: string, args: ResolvedArgs, accessToken: string | undefined): Rendered {
  return renderRequest(prepareRequest(name, args), args, accessToken);
}

interface PreparedRequest extends ResourceRequest {
  readonly prepared: PreparedComponent;
  /** The component's secret inputs, by configuration key: taken out of the spec. */
  readonly secrets: Record<string, unknown>;
}

function prepareRequest(name: string, args: ResolvedArgs): PreparedRequest {
  const prepared = preparedFor(args);
  const { spec, secrets } = splitSecretInputs(prepared, (args.inputs ?? {}) as Record<string, unknown>);
  return {
    prepared,
    secrets,
    kind: prepared.component.token.split(":").pop() ?? "Component",
    name,
    namespace: args.namespace ?? "default",
    labels: {},
    annotations: {},
    spec,
  };
}

function renderRequest(
  request: PreparedRequest,
  args: ResolvedArgs,
  accessToken: string | undefined,
): Rendered {
  const { prepared, secrets } = request;
  const credentials: Record<string, unknown> = {
    ...(accessToken !== undefined && { PULUMI_ACCESS_TOKEN: accessToken }),
    ...(args.credentials ?? {}),
  };
  for (const key of Object.keys(credentials))
    if (Object.hasOwn(secrets, key))
      throw StackwrightInputError.single(
        `credentials.${key}`,
        "has the name of one of the component's secret inputs; both would be the same key of the Secret",
      );
  const program = buildProgram(prepared, request);
  const stack = buildStack(prepared, request, {
    backend: args.backend,
    stackName: args.stack,
    ...(args.serviceAccountName !== undefined && { serviceAccountName: args.serviceAccountName }),
    ...(args.destroyOnFinalize !== undefined && { destroyOnFinalize: args.destroyOnFinalize }),
    ...(Object.keys(credentials).length > 0 && {
      secretEnv: Object.fromEntries(Object.keys(credentials).map((k) => [k, k])),
    }),
    ...(args.config !== undefined && { config: args.config as Record<string, unknown> }),
  });
  return {
    program,
    stack,
    secretName: namesFor(prepared, request).secret,
    namespace: request.namespace,
    secretData: { ...secrets, ...credentials },
  };
}

/** A Secret's stringData: strings as they are, anything else (a secret object input) as JSON. */
function asSecretStrings(data: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [
      key,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}

/**
 * The component, prepared once per schema text and token: a program with many ProgramStacks of
 * one component pays for reading the schema and compiling its validator once.
 */
const preparedComponents = new Map<string, PreparedComponent>();
const MAX_PREPARED_COMPONENTS = 64;

function preparedFor(args: ResolvedArgs): PreparedComponent {
  const { text, source } = schemaText(args);
  const key = `${args.componentToken ?? ""}\n${source}\n${text}`;
  let prepared = preparedComponents.get(key);
  if (prepared === undefined) {
    prepared = prepareComponent(parsePackageSchema(text, source), args.componentToken, "componentToken");
    if (preparedComponents.size >= MAX_PREPARED_COMPONENTS) preparedComponents.clear();
    preparedComponents.set(key, prepared);
  }
  return prepared;
}

/** The schema's text and where it came from (for messages). */
function schemaText(args: ResolvedArgs): { text: string; source: string } {
  if ((args.componentSchema === undefined) === (args.componentSchemaPath === undefined))
    throw StackwrightInputError.single(
      "componentSchema",
      "give exactly one of componentSchema and componentSchemaPath",
    );
  if (args.componentSchema !== undefined) {
    if (!isPlainObject(args.componentSchema))
      throw StackwrightInputError.single("componentSchema", "must be a Pulumi package schema object");
    return { text: JSON.stringify(args.componentSchema), source: "componentSchema" };
  }
  const path = args.componentSchemaPath as string;
  return {
    text: readInputFile(path, "componentSchemaPath"),
    source: fileSource("componentSchemaPath", path),
  };
}

/**
 * Takes the secret inputs out of the component's inputs: they travel in the Secret only. Objects
 * on the way to a secret input are copied, never changed, and its value may still be an Output.
 */
function splitSecretInputs(
  prepared: PreparedComponent,
  inputs: Record<string, unknown>,
): { spec: Record<string, unknown>; secrets: Record<string, unknown> } {
  let spec = inputs;
  const secrets: Record<string, unknown> = {};
  for (const secret of prepared.inputs.secretInputs) {
    const taken = withoutPath(spec, secret.path);
    if (taken === undefined) continue;
    spec = taken.rest;
    secrets[secret.configKey] = taken.value;
  }
  return { spec, secrets };
}

/** `object` without the value at `path` (copied along the path), or undefined when nothing is there. */
function withoutPath(
  object: Record<string, unknown>,
  path: readonly string[],
): { rest: Record<string, unknown>; value: unknown } | undefined {
  const [head, ...tail] = path as [string, ...string[]];
  if (!Object.hasOwn(object, head)) return undefined;
  if (tail.length === 0) {
    const { [head]: value, ...rest } = object;
    return { rest, value };
  }
  const child = object[head];
  if (!isPlainObject(child)) return undefined;
  const taken = withoutPath(child, tail);
  return taken && { rest: { ...object, [head]: taken.rest }, value: taken.value };
}
