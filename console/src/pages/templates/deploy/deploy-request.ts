import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import type { UiSchema } from "@rjsf/utils";

/** The names of the schema's secret parameters: `writeOnly`, as the catalogue marks them. */
export function secretNames(schema: JsonObject): Set<string> {
  const properties = (schema.properties ?? {}) as Record<string, JsonObject>;
  return new Set(
    Object.entries(properties)
      .filter(([, property]) => property.writeOnly === true)
      .map(([name]) => name),
  );
}

/** Secrets are typed in password inputs: not shown, not kept by the browser's autofill. */
export function uiSchemaFor(schema: JsonObject): UiSchema {
  const ui: UiSchema = { "ui:submitButtonOptions": { norender: true } };
  for (const name of secretNames(schema))
    ui[name] = { "ui:widget": "password", "ui:autocomplete": "new-password" };
  return ui;
}

/**
 * The form's values as DeployStack takes them: secret ones apart, as text, in secretParameters;
 * fields left empty are left out, so that the template's defaults apply.
 */
export function splitParameters(
  values: Record<string, JsonValue | undefined>,
  secrets: ReadonlySet<string>,
): { parameters: JsonObject; secretParameters: Record<string, string> } {
  const parameters: JsonObject = {};
  const secretParameters: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || value === "") continue;
    if (secrets.has(name)) secretParameters[name] = String(value);
    else parameters[name] = value;
  }
  return { parameters, secretParameters };
}
