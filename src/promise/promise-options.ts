import { type Problem, StackwrightInputError } from "../core/errors";

/** Where Kratix may schedule the Promise's output: destinations whose labels match. */
export type DestinationSelector = Readonly<Record<string, string>>;

/** What the platform team chooses for the Promise itself, beside its API. */
export interface PromiseOptions {
  /** `spec.destinationSelectors[0].matchLabels`: destinations that run PKO. */
  readonly destinationSelector: DestinationSelector;
  /** The `kratix.io/promise-version` label. */
  readonly promiseVersion: string;
}

/** kratix-cli's default for Pulumi promises: destinations labelled as running PKO. */
export const DEFAULT_DESTINATION_SELECTOR: DestinationSelector = { environment: "pulumi" };
export const DEFAULT_PROMISE_VERSION = "v0.1.0";

const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const LABEL_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** A problem with a label key, or undefined (Kubernetes' rules: optional DNS prefix, name ≤ 63). */
function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !LABEL_PREFIX.test(prefix)))
    return `'${prefix}' is not a label prefix (a DNS subdomain)`;
  if (name.length > 63 || !LABEL_NAME.test(name)) return `'${name}' is not a label name`;
  return undefined;
}

/**
 * Reads `--destination-selector key=value` (repeatable) and `--promise-version`; every problem
 * at once, each naming its flag.
 */
export function checkPromiseOptions(raw: {
  destinationSelector?: string[];
  promiseVersion?: string;
}): PromiseOptions {
  const problems: Problem[] = [];
  const selector: Record<string, string> = {};
  for (const entry of raw.destinationSelector ?? []) {
    const equals = entry.indexOf("=");
    const key = equals === -1 ? entry : entry.slice(0, equals);
    const value = equals === -1 ? undefined : entry.slice(equals + 1);
    const problem =
      value === undefined
        ? `expected key=value, such as environment=pulumi, got '${entry}'`
        : (labelKeyProblem(key) ??
          (value.length > 63 || !LABEL_VALUE.test(value) ? `'${value}' is not a label value` : undefined) ??
          (Object.hasOwn(selector, key) ? `'${key}' is given twice` : undefined));
    if (problem !== undefined) problems.push({ at: "--destination-selector", message: problem });
    else selector[key] = value as string;
  }
  const promiseVersion = raw.promiseVersion ?? DEFAULT_PROMISE_VERSION;
  if (promiseVersion.length > 63 || !LABEL_VALUE.test(promiseVersion) || promiseVersion === "")
    problems.push({
      at: "--promise-version",
      message: `expected a version usable as a label value, such as v0.1.0, got '${promiseVersion}'`,
    });
  if (problems.length > 0) throw new StackwrightInputError(problems);
  return {
    destinationSelector: Object.keys(selector).length > 0 ? selector : DEFAULT_DESTINATION_SELECTOR,
    promiseVersion,
  };
}

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
