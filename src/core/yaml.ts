import { dump, JSON_SCHEMA, load } from "js-yaml";

/**
 * The one place Stackwright reads and writes YAML. js-yaml, because the stages are short-lived
 * processes and it loads in half the time of the alternatives (bench/stage.bench.ts).
 */

/** Parses YAML (or JSON, a subset of it). Throws js-yaml's error, whose first line says where. */
export function parseYaml(text: string): unknown {
  // The JSON schema: `yes`/`no`/`on` stay strings, as in YAML 1.2 and in Kubernetes.
  return load(text, { schema: JSON_SCHEMA });
}

/** Deterministic YAML for plain data: same value, same bytes. No anchors, no line folding. */
export function toYaml(value: unknown): string {
  return dump(value, { lineWidth: -1, noRefs: true, schema: JSON_SCHEMA, quotingType: '"' });
}
