import { ownValue } from "../core/own";
import { sameValue } from "./canonical-json";
import type { ParameterConstraint, TemplateConstraint } from "./constraints";
import type { ParameterProperty, ParameterSchema } from "./parameter-schema";
import { compilePattern } from "./safe-pattern";

/**
 * The parameters one tenant may give one template: the template's schema narrowed by the
 * tenant's constraint. It is what the API serves for a form to render and what the server
 * validates a deploy against, so the two can never disagree. A template default that the
 * constraint rules out is dropped and its parameter becomes required: the tenant must choose.
 */
export function effectiveParameterSchema(
  template: ParameterSchema,
  constraint: TemplateConstraint,
): ParameterSchema {
  const required = new Set(template.required ?? []);
  const properties: Record<string, ParameterProperty> = {};
  for (const [name, property] of Object.entries(template.properties)) {
    const limits = ownValue(constraint.parameters, name);
    if (limits === undefined) {
      properties[name] = property;
      continue;
    }
    const narrowed = narrow(property, limits);
    if (narrowed.default !== undefined && !withinLimits(narrowed.default, limits)) {
      const { default: _ruledOut, ...withoutDefault } = narrowed;
      properties[name] = withoutDefault;
      required.add(name);
    } else properties[name] = narrowed;
  }
  return {
    type: "object",
    properties,
    ...(required.size > 0 && { required: [...required] }),
    additionalProperties: false,
  };
}

function narrow(property: ParameterProperty, limits: ParameterConstraint): ParameterProperty {
  const out: Record<string, unknown> = { ...property };
  if (limits.minimum !== undefined)
    out.minimum =
      property.minimum === undefined ? limits.minimum : Math.max(property.minimum, limits.minimum);
  if (limits.maximum !== undefined)
    out.maximum =
      property.maximum === undefined ? limits.maximum : Math.min(property.maximum, limits.maximum);
  if (limits.allowedValues !== undefined)
    out.enum =
      property.enum === undefined
        ? [...limits.allowedValues]
        : limits.allowedValues.filter((v) => property.enum?.some((t) => sameValue(t, v)));
  if (limits.pattern !== undefined) {
    // JSON Schema has one `pattern` per schema: a second one must hold too, so it goes in allOf.
    if (property.pattern === undefined) out.pattern = limits.pattern;
    else out.allOf = [{ pattern: limits.pattern }];
  }
  return out as ParameterProperty;
}

/** Whether `value` (already valid for the template) is within the constraint's limits. */
export function withinLimits(value: unknown, limits: ParameterConstraint): boolean {
  if (typeof value === "number") {
    if (limits.minimum !== undefined && value < limits.minimum) return false;
    if (limits.maximum !== undefined && value > limits.maximum) return false;
  }
  if (limits.allowedValues !== undefined && !limits.allowedValues.some((v) => sameValue(v, value)))
    return false;
  if (
    limits.pattern !== undefined &&
    typeof value === "string" &&
    !compilePattern(limits.pattern).test(value)
  )
    return false;
  return true;
}
