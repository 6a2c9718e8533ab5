import type { Problem } from "./errors";

/**
 * Kubernetes' own rules for labels and annotations (apimachinery's validation), applied to what a
 * request carries: the generated objects copy them, and the API server would refuse them there.
 */

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** The API server's limit on all of an object's annotations together, keys and values. */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/** A label or annotation key: `[prefix/]name`, the prefix a DNS subdomain of up to 253 characters. */
function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.indexOf("/");
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    return "the key's prefix (before '/') must be a DNS subdomain of at most 253 characters";
  }
  if (name.length > 63 || !NAME_PART.test(name)) {
    return "the key's name must be at most 63 characters: letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
  }
  return undefined;
}

/** How a key is shown in a field path: long keys are cut. */
function shown(key: string): string {
  return key.length > 80 ? `${key.slice(0, 80)}…` : key;
}

export function labelProblems(labels: Readonly<Record<string, string>>): Problem[] {
  const problems: Problem[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const at = `metadata.labels.${shown(key)}`;
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem !== undefined) problems.push({ at, message: keyProblem });
    else if (typeof value === "string" && value !== "" && (value.length > 63 || !NAME_PART.test(value))) {
      problems.push({
        at,
        message:
          "a label value must be empty or at most 63 characters: letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
      });
    }
  }
  return problems;
}

export function annotationProblems(annotations: Readonly<Record<string, string>>): Problem[] {
  const problems: Problem[] = [];
  let bytes = 0;
  for (const [key, value] of Object.entries(annotations)) {
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem !== undefined)
      problems.push({ at: `metadata.annotations.${shown(key)}`, message: keyProblem });
    bytes += Buffer.byteLength(key) + (typeof value === "string" ? Buffer.byteLength(value) : 0);
  }
  if (bytes > MAX_ANNOTATIONS_BYTES) {
    problems.push({
      at: "metadata.annotations",
      message: `take ${bytes} bytes together, more than the ${MAX_ANNOTATIONS_BYTES} (256 KiB) Kubernetes allows`,
    });
  }
  return problems;
}
