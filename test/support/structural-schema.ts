/**
 * The rules of a Kubernetes structural schema (apiextensions.k8s.io/v1) that a generated CRD can
 * break: every node says its type, or says it accepts anything with
 * x-kubernetes-preserve-unknown-fields (or x-kubernetes-int-or-string); `properties` and
 * `additionalProperties` are not both set; no $ref, no type unions. Returns the broken rules.
 */
type Node = Record<string, unknown>;
const FORBIDDEN = [
  "$ref",
  "oneOf",
  "anyOf",
  "allOf",
  "not",
  "definitions",
  "dependencies",
  "patternProperties",
];

export function structuralProblems(schema: Node, path = ""): string[] {
  const problems: string[] = [];
  const at = path || "<root>";
  const anyValue =
    schema["x-kubernetes-preserve-unknown-fields"] === true || schema["x-kubernetes-int-or-string"] === true;
  if (typeof schema.type !== "string" && !anyValue) problems.push(`${at}: no type`);
  for (const key of FORBIDDEN) if (key in schema) problems.push(`${at}: ${key} is not allowed`);
  if (schema.properties !== undefined && schema.additionalProperties !== undefined) {
    problems.push(`${at}: properties and additionalProperties together`);
  }
  if (schema.type === "array" && typeof schema.items !== "object")
    problems.push(`${at}: array without items`);
  for (const [name, child] of Object.entries((schema.properties as Record<string, Node> | undefined) ?? {})) {
    problems.push(...structuralProblems(child, `${path}.${name}`));
  }
  if (typeof schema.items === "object")
    problems.push(...structuralProblems(schema.items as Node, `${path}[]`));
  if (typeof schema.additionalProperties === "object") {
    problems.push(...structuralProblems(schema.additionalProperties as Node, `${path}{}`));
  }
  return problems;
}
