import { type Problem, StackwrightInputError } from "../core/errors";

/** What the platform team chooses for the Promise's API. */
export interface PromiseApiOptions {
  readonly group: string;
  readonly kind: string;
  readonly version: string;
  readonly plural: string;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;
const VERSION = /^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$/;
const PLURAL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** `DatabaseCluster` → `databaseclusters`; the Kubernetes convention for CRD plurals. */
export function defaultPlural(kind: string): string {
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/**
 * Checks the API options; `flag` maps each option to the name the user typed, for messages.
 * Throws every problem at once.
 */
export function checkPromiseApiOptions(
  raw: { group?: string; kind?: string; version?: string; plural?: string },
  flag: (option: string) => string = (o) => `--${o}`,
): PromiseApiOptions {
  const problems: Problem[] = [];
  const group = raw.group ?? "";
  const kind = raw.kind ?? "";
  const version = raw.version ?? "v1alpha1";
  if (!DNS_SUBDOMAIN.test(group) || group.length > 253) {
    problems.push({
      at: flag("group"),
      message: `expected a DNS subdomain with at least one dot, such as platform.example.com, got ${JSON.stringify(group)}`,
    });
  }
  if (!KIND.test(kind) || kind.length > 63) {
    problems.push({
      at: flag("kind"),
      message: `expected a kind in UpperCamelCase, such as Database, got ${JSON.stringify(kind)}`,
    });
  }
  if (!VERSION.test(version)) {
    problems.push({
      at: flag("version"),
      message: `expected a Kubernetes API version such as v1, v1beta1 or v1alpha1, got ${JSON.stringify(version)}`,
    });
  }
  const plural = raw.plural ?? (KIND.test(kind) ? defaultPlural(kind) : "");
  if (raw.plural !== undefined && (!PLURAL.test(plural) || plural.length > 63)) {
    problems.push({
      at: flag("plural"),
      message: `expected a lower-case DNS label such as databases, got ${JSON.stringify(plural)}`,
    });
  }
  if (problems.length > 0) throw new StackwrightInputError(problems);
  return { group, kind, version, plural };
}
