import type { ObjectMeta } from "../core/generated/object-meta";
import type { JsonSchema } from "../core/input-schema";
import type { PreparedComponent } from "../core/manifests";
import { placeholder } from "../core/placeholder";
import { BACKEND_EXAMPLE, STACK_NAME_EXAMPLE } from "../core/stack-options";
import type { CustomResourceDefinition } from "./generated/custom-resource-definition";
import type { KratixPromise } from "./generated/kratix-promise";
import type { PromiseApiOptions, PromiseOptions } from "./promise-options";
import { IMAGE_SCHEMA_PATH, PROGRAM_STAGE_COMMAND, STACK_STAGE_COMMAND } from "./stage-image";

export interface PromiseInputs {
  readonly prepared: PreparedComponent;
  readonly api: PromiseApiOptions;
  readonly promise: PromiseOptions;
  readonly image: string;
  /** The schema source as the stage containers will read it: an https URL, or the image's copy. */
  readonly schemaSourceInImage: string;
}

export interface EnvVar {
  name: string;
  value: string;
}

/**
 * A step of a Kratix Pipeline: the fields of kratix's own Container (api/v1alpha1/pipeline_types.go)
 * that the stages need.
 */
export interface PipelineContainer {
  name: string;
  image: string;
  command: string[];
  env: EnvVar[];
}

/**
 * A Kratix workflow Pipeline. Kratix has no CRD for it (its Go type, in
 * api/v1alpha1/pipeline_types.go, is kept out of CRD generation), so it is written out here, as
 * far as the Promise uses it. A type literal, not an interface: the Promise CRD's workflow lists
 * take any object, and only a type literal fits an index signature.
 */
export type Pipeline = {
  apiVersion: "platform.kratix.io/v1alpha1";
  kind: "Pipeline";
  metadata: { name: string };
  spec: { containers: PipelineContainer[] };
};

/** The Promise's API: a CustomResourceDefinition, typed from Kubernetes' OpenAPI document. */
export interface PromiseApi extends CustomResourceDefinition {
  apiVersion: "apiextensions.k8s.io/v1";
  kind: "CustomResourceDefinition";
  metadata: ObjectMeta & { name: string };
}

type KratixPromiseSpec = NonNullable<KratixPromise["spec"]>;

/** The Promise's workflows: the Program and Stack stages when a resource is requested. */
export interface PromiseWorkflows extends NonNullable<KratixPromiseSpec["workflows"]> {
  resource: { configure: Pipeline[] };
}

/**
 * The Promise Stackwright writes: Kratix's Promise, typed from its CRD (src/promise/generated/),
 * with the parts that CRD leaves open typed as what Stackwright puts there; `extends` has the
 * compiler hold every field to the CRD's type.
 */
export interface PromiseManifest extends KratixPromise {
  apiVersion: "platform.kratix.io/v1alpha1";
  kind: "Promise";
  metadata: ObjectMeta & { name: string };
  spec: KratixPromiseSpec & {
    api: PromiseApi;
    destinationSelectors: NonNullable<KratixPromiseSpec["destinationSelectors"]>;
    workflows: PromiseWorkflows;
  };
}

export const BACKEND_PLACEHOLDER = placeholder(`your Pulumi backend URL, e.g. ${BACKEND_EXAMPLE}`);
export const STACK_NAME_PLACEHOLDER = placeholder(`the stack to deploy, e.g. ${STACK_NAME_EXAMPLE}`);

/** `https://…` stays as it is; a local schema file is baked into the stage image. */
export function schemaSourceInImage(schemaFlag: string): string {
  return schemaFlag.startsWith("https://") ? schemaFlag : IMAGE_SCHEMA_PATH;
}

/** The Promise's API: a CRD whose `spec` is the component's inputs, from the translation core. */
export function buildApi({ prepared, api }: PromiseInputs): PromiseApi {
  const spec: JsonSchema = { ...prepared.inputs.spec };
  spec.description ??= `Inputs of the Pulumi component ${prepared.component.token}.`;
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${api.plural}.${api.group}` },
    spec: {
      group: api.group,
      names: { kind: api.kind, plural: api.plural, singular: api.kind.toLowerCase() },
      scope: "Namespaced",
      versions: [
        {
          name: api.version,
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                spec,
                status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
              },
              required: ["spec"],
            },
          },
        },
      ],
    },
  };
}

/** The two workflow containers, Program first: same image, different entry points. */
export function buildContainers({
  prepared,
  image,
  schemaSourceInImage,
}: PromiseInputs): PipelineContainer[] {
  const common: EnvVar[] = [
    { name: "PULUMI_SCHEMA_SOURCE", value: schemaSourceInImage },
    { name: "PULUMI_COMPONENT_TOKEN", value: prepared.component.token },
  ];
  return [
    { name: "pulumi-program", image, command: [PROGRAM_STAGE_COMMAND], env: common },
    {
      name: "pulumi-stack",
      image,
      command: [STACK_STAGE_COMMAND],
      env: [
        ...common,
        { name: "PULUMI_STACK_BACKEND", value: BACKEND_PLACEHOLDER },
        { name: "PULUMI_STACK_NAME", value: STACK_NAME_PLACEHOLDER },
      ],
    },
  ];
}

export function buildWorkflows(inputs: PromiseInputs): PromiseWorkflows {
  return {
    resource: {
      configure: [
        {
          apiVersion: "platform.kratix.io/v1alpha1",
          kind: "Pipeline",
          metadata: { name: "pulumi-program-and-stack" },
          spec: { containers: buildContainers(inputs) },
        },
      ],
    },
  };
}

export function promiseName(kind: string): string {
  return kind.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

export function buildPromise(inputs: PromiseInputs): PromiseManifest {
  return {
    apiVersion: "platform.kratix.io/v1alpha1",
    kind: "Promise",
    metadata: {
      name: promiseName(inputs.api.kind),
      labels: { "kratix.io/promise-version": inputs.promise.promiseVersion },
    },
    spec: {
      api: buildApi(inputs),
      destinationSelectors: [{ matchLabels: { ...inputs.promise.destinationSelector } }],
      workflows: buildWorkflows(inputs),
    },
  };
}

/** A request that fits the API: required fields with example values, defaults shown. */
export function buildExampleRequest({ prepared, api }: PromiseInputs): Record<string, unknown> {
  return {
    apiVersion: `${api.group}/${api.version}`,
    kind: api.kind,
    metadata: { name: `example-${promiseName(api.kind)}`, namespace: "default" },
    spec: exampleValue(prepared.inputs.spec) ?? {},
  };
}

function exampleValue(schema: JsonSchema): unknown {
  if (schema.default !== undefined) return schema.default;
  if (schema.enum !== undefined) return schema.enum[0];
  switch (schema.type) {
    case "string":
      return "example";
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return false;
    case "array":
      return schema.items ? [exampleValue(schema.items)] : [];
    case "object": {
      if (schema.properties === undefined) return {};
      const out: Record<string, unknown> = {};
      for (const [name, prop] of Object.entries(schema.properties)) {
        if (schema.required?.includes(name) || prop.default !== undefined) out[name] = exampleValue(prop);
      }
      return out;
    }
    default:
      return {};
  }
}
