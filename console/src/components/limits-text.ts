import type { JsonValue } from "@bufbuild/protobuf";

/** Limits on a value, as a template's schema or a tenant's constraint sets them. */
export interface Limits {
  readonly minimum?: JsonValue | undefined;
  readonly maximum?: JsonValue | undefined;
  readonly values?: JsonValue | undefined;
  readonly pattern?: JsonValue | undefined;
}

/** The limits in a few words: `≥ 1, ≤ 3`, `one of "a", "b"`, `matches ^x`. */
export function limitsText({ minimum, maximum, values, pattern }: Limits): string[] {
  const said: string[] = [];
  if (minimum !== undefined && minimum !== null) said.push(`≥ ${String(minimum)}`);
  if (maximum !== undefined && maximum !== null) said.push(`≤ ${String(maximum)}`);
  if (Array.isArray(values)) said.push(`one of ${values.map((v) => JSON.stringify(v)).join(", ")}`);
  if (typeof pattern === "string") said.push(`matches ${pattern}`);
  return said;
}
