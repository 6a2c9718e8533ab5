import type { ErrorSchema, RJSFSchema, ValidationData, ValidatorType } from "@rjsf/utils";

/**
 * The form's validator: it finds nothing, because the service is the judge of parameters (the
 * tenant's constraints are its rules) and its violations come back on their fields as the form's
 * extra errors. It is also what lets the form run under the console's Content-Security-Policy: a
 * JSON-Schema validator like Ajv compiles schemas with `new Function`, which that policy forbids.
 *
 * `isValid` chooses among `oneOf`/`anyOf` options; parameter schemas are flat objects of scalars,
 * where it is never asked, so it only tells an object from what is not one.
 */
export const serverValidator: ValidatorType<unknown, RJSFSchema> = {
  validateFormData(): ValidationData<unknown> {
    return { errors: [], errorSchema: {} };
  },
  isValid(schema, formData): boolean {
    if (schema.type === "object") return formData !== null && typeof formData === "object";
    return true;
  },
  rawValidation() {
    return {};
  },
};

/** An error schema the form shows: `parameters.tags[0].name` → `{ tags: { 0: { name: { __errors } } } }`. */
export function addFieldError(schema: ErrorSchema, path: readonly string[], message: string): void {
  let node = schema as Record<string, unknown>;
  for (const key of path) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node.__errors = [...((node.__errors as string[] | undefined) ?? []), message];
}
