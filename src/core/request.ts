import { type Problem, StackwrightInputError } from "./errors";
import { isDns1123Label } from "./naming";
import { annotationProblems, labelProblems } from "./object-metadata";
import { isPlainObject } from "./package-schema";

/** A Kratix resource request: the object a promise's user applied, as the workflow sees it. */
export interface ResourceRequest {
  readonly kind: string;
  readonly name: string;
  /** `default` when the request has none. */
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: Readonly<Record<string, unknown>>;
}

/**
 * Reads a request object, already parsed from YAML or JSON. Problems are at the request's own
 * field paths (`metadata.name`, `spec`…).
 */
export function parseResourceRequest(value: unknown): ResourceRequest {
  if (!isPlainObject(value)) {
    throw StackwrightInputError.single("request", "must be a Kubernetes object (a YAML mapping)");
  }
  const problems: Problem[] = [];
  const metadata = isPlainObject(value.metadata) ? value.metadata : undefined;
  if (metadata === undefined) problems.push({ at: "metadata", message: "is required" });
  const name = metadata?.name;
  if (metadata !== undefined && (typeof name !== "string" || name === "")) {
    problems.push({ at: "metadata.name", message: "is required: a non-empty string" });
  }
  const namespace = metadata?.namespace ?? "default";
  if (typeof namespace !== "string" || !isDns1123Label(namespace)) {
    problems.push({
      at: "metadata.namespace",
      message:
        "must be a DNS-1123 label: at most 63 characters, a-z, 0-9 and '-', starting and ending alphanumeric",
    });
  }
  const kind = typeof value.kind === "string" && value.kind !== "" ? value.kind : undefined;
  if (kind === undefined) problems.push({ at: "kind", message: "is required: a non-empty string" });
  if (!isPlainObject(value.spec)) {
    problems.push({
      at: "spec",
      message: value.spec === undefined ? "is required: an object" : "must be an object",
    });
  }
  const labels = stringMap(metadata?.labels, "metadata.labels", problems);
  const annotations = stringMap(metadata?.annotations, "metadata.annotations", problems);
  problems.push(...labelProblems(labels), ...annotationProblems(annotations));
  if (problems.length > 0) throw new StackwrightInputError(problems);
  return {
    kind: kind as string,
    name: name as string,
    namespace: namespace as string,
    labels,
    annotations,
    spec: value.spec as Record<string, unknown>,
  };
}

function stringMap(value: unknown, at: string, problems: Problem[]): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) {
    problems.push({ at, message: "must be a map of strings" });
    return {};
  }
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") problems.push({ at: `${at}.${k}`, message: "must be a string" });
  }
  return value as Record<string, string>;
}

/**
 * Labels and annotations that belong to the platform, not to the request's owner: Kratix's own
 * (`kratix.io/…`, `*.kratix.io/…`) and kubectl's last-applied copy, which would carry the whole
 * request, spec included, into the generated objects.
 */
export function isPlatformInternalKey(key: string): boolean {
  const slash = key.indexOf("/");
  const prefix = slash === -1 ? "" : key.slice(0, slash);
  return (
    prefix === "kratix.io" ||
    prefix.endsWith(".kratix.io") ||
    key === "kubectl.kubernetes.io/last-applied-configuration"
  );
}

export function passThrough(map: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(map)
      .sort()
      .filter((key) => !isPlatformInternalKey(key))
      .map((key) => [key, map[key] as string]),
  );
}
