import { StackwrightInputError } from "../core/errors";

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The environment both stages read. Documented in docs/stages.md, "Environment variables".
 */
export interface CommonStageEnv {
  readonly inputFile: string;
  readonly outputDir: string;
  readonly schemaSource: string;
  readonly componentToken: string | undefined;
}

export const DEFAULT_INPUT_FILE = "/kratix/input/object.yaml";
export const DEFAULT_OUTPUT_DIR = "/kratix/output";

export function readCommonStageEnv(env: Env): CommonStageEnv {
  const schemaSource = nonEmpty(env.PULUMI_SCHEMA_SOURCE);
  if (schemaSource === undefined) {
    throw StackwrightInputError.single(
      "PULUMI_SCHEMA_SOURCE",
      "is required: the path or https:// URL of the component's Pulumi package schema (schema.json or schema.yaml)",
    );
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(schemaSource) && !schemaSource.startsWith("https://")) {
    throw StackwrightInputError.single(
      "PULUMI_SCHEMA_SOURCE",
      `must be a file path or an https:// URL, got ${JSON.stringify(schemaSource)}`,
    );
  }
  return {
    inputFile: nonEmpty(env.KRATIX_INPUT_FILE) ?? DEFAULT_INPUT_FILE,
    outputDir: nonEmpty(env.KRATIX_OUTPUT_DIR) ?? DEFAULT_OUTPUT_DIR,
    schemaSource,
    componentToken: nonEmpty(env.PULUMI_COMPONENT_TOKEN),
  };
}

export function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}
