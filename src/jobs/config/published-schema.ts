import { ServiceConfigSchema } from "./config-schema";

/** Where the JSON Schema of stackwright-jobs.yaml is, in the repository and in the npm package. */
export const PUBLISHED_SCHEMA_PATH = "schemas/stackwright-jobs.schema.json";

/**
 * The file at PUBLISHED_SCHEMA_PATH, generated from config-schema.ts by `npm run
 * gen:config-schema`. Draft-07: the draft every YAML editor's language server reads.
 */
export function publishedSchemaText(): string {
  const schema = { $schema: "http://json-schema.org/draft-07/schema#", ...ServiceConfigSchema };
  return `${JSON.stringify(schema, null, 2)}\n`;
}
