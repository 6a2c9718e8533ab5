import { type Problem, StackwrightInputError } from "./errors";
import type { JsonSchema } from "./input-schema";
import { type PreparedComponent, packagesFor } from "./manifests";

/** A template parameter as JSON Schema: the component input's schema, `writeOnly` for a secret. */
export type TemplateParameter = JsonSchema & { writeOnly?: true };

/**
 * A catalogue template made from a component: a Pulumi YAML program that creates the component
 * from stack configuration, one configuration key per top-level input, and those inputs as the
 * template's parameters. The same translation core as the Kratix stages reads the schema, so a
 * component offered both ways takes the same inputs.
 */
export interface ComponentTemplate {
  /** The program's Pulumi.yaml. */
  readonly project: Record<string, unknown>;
  readonly parameters: {
    readonly type: "object";
    readonly properties: Record<string, TemplateParameter>;
    readonly required?: string[];
  };
}

/** Pulumi YAML's project configuration types; a number is declared untyped (`{}`), as YAML has no such type. */
const CONFIG_TYPES: Partial<Record<NonNullable<JsonSchema["type"]>, string>> = {
  string: "string",
  integer: "integer",
  boolean: "boolean",
  array: "array",
  object: "object",
};

export function componentTemplate(prepared: PreparedComponent, projectName: string): ComponentTemplate {
  const { component, inputs, logicalName } = prepared;
  const problems: Problem[] = [];
  const where = `resources.${component.token}.inputProperties`;
  const properties: Record<string, TemplateParameter> = {};
  const config: Record<string, Record<string, unknown>> = {};
  for (const [name, schema] of Object.entries(inputs.spec.properties ?? {})) {
    if (schema.type === undefined) {
      problems.push({
        at: `${where}.${name}`,
        message: "takes any value, which a template parameter cannot offer",
      });
      continue;
    }
    properties[name] = withoutKubernetesKeywords(schema);
    config[name] = { ...(CONFIG_TYPES[schema.type] !== undefined && { type: CONFIG_TYPES[schema.type] }) };
  }
  for (const secret of inputs.secretInputs) {
    const name = secret.path.join(".");
    if (secret.path.length > 1 || secret.configType !== "String") {
      problems.push({
        at: `${where}.${name}`,
        message: "is a secret a template can take only as a top-level string input",
      });
      continue;
    }
    properties[name] = {
      type: "string",
      writeOnly: true,
      ...(secret.description !== undefined && { description: secret.description }),
    };
    config[name] = { type: "string", secret: true };
  }
  for (const name of inputs.omittedSecretInputs)
    problems.push({
      at: `${where}.${name}`,
      message: "is a secret whose type stack configuration cannot carry",
    });
  if (problems.length > 0) throw new StackwrightInputError(problems);
  const secretNames = new Set(inputs.secretInputs.map((s) => s.path[0] as string));
  const required = [...(inputs.spec.required ?? []), ...secretNames].filter(
    (name) =>
      properties[name] !== undefined && (secretNames.has(name) || properties[name]?.default === undefined),
  );
  const packages = packagesFor(component.schema);
  return {
    project: {
      name: projectName,
      runtime: "yaml",
      ...(packages !== undefined && { packages }),
      config,
      resources: {
        [logicalName]: {
          type: component.token,
          properties: Object.fromEntries(Object.keys(properties).map((name) => [name, `\${${name}}`])),
        },
      },
      ...(inputs.outputs.length > 0 && {
        outputs: Object.fromEntries(inputs.outputs.map((o) => [o, `\${${logicalName}.${o}}`])),
      }),
    },
    parameters: {
      type: "object",
      properties,
      ...(required.length > 0 && { required: [...new Set(required)] }),
    },
  };
}

/** The schema without Kubernetes' structural-schema keywords, which JSON Schema validators refuse. */
function withoutKubernetesKeywords(schema: JsonSchema): JsonSchema {
  const {
    "x-kubernetes-preserve-unknown-fields": _preserve,
    properties,
    items,
    additionalProperties,
    ...rest
  } = schema;
  return {
    ...rest,
    ...(properties !== undefined && {
      properties: Object.fromEntries(
        Object.entries(properties).map(([k, v]) => [k, withoutKubernetesKeywords(v)]),
      ),
    }),
    ...(items !== undefined && { items: withoutKubernetesKeywords(items) }),
    ...(additionalProperties !== undefined && {
      additionalProperties: withoutKubernetesKeywords(additionalProperties),
    }),
  };
}
