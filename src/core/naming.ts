import { createHash } from "node:crypto";

/**
 * The naming contract. Every name Stackwright gives a Kubernetes object is a pure function of
 * (namespace, request kind, request name, component token), so the Program stage, the Stack
 * stage and the ProgramStack component compute the same names without talking to each other.
 *
 *   base    = <slug>-<hash>
 *   slug    = the request name, NFKD-decomposed with combining marks dropped, lower-cased, every run of characters other
 *             than a-z and 0-9 replaced by one '-', trimmed of '-', cut to 33 characters (and
 *             trimmed of '-' again); the request kind, slugged the same way, if that is empty; or
 *             'request' if that is empty too
 *   hash    = the first 8 hex digits of SHA-256 over the UTF-8 of
 *             "stackwright/v1\n" + namespace + "\n" + kind + "\n" + name + "\n" + token
 *   Program = base, Stack = base, Secret with secret inputs = base + "-secrets"
 *
 * `base` is at most 42 characters (the Stack CRD's limit) and a DNS-1123 label. The hash keeps
 * names apart when two requests' slugs coincide (long names cut at the same place, names that
 * differ only in case or punctuation, the same name in two namespaces). The "v1" in the hash
 * input is the contract's version: it changes only if this contract ever has to, never silently.
 */
export const MAX_STACK_NAME_LENGTH = 42;
const HASH_LENGTH = 8;
const SLUG_LENGTH = MAX_STACK_NAME_LENGTH - HASH_LENGTH - 1;

export interface NameInputs {
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  readonly componentToken: string;
}

export interface ObjectNames {
  readonly program: string;
  readonly stack: string;
  readonly secret: string;
}

export function objectNames(inputs: NameInputs): ObjectNames {
  const base = baseName(inputs);
  return { program: base, stack: base, secret: `${base}-secrets` };
}

export function baseName({ namespace, kind, name, componentToken }: NameInputs): string {
  const hash = createHash("sha256")
    .update(`stackwright/v1\n${namespace}\n${kind}\n${name}\n${componentToken}`, "utf8")
    .digest("hex")
    .slice(0, HASH_LENGTH);
  const slug = slugify(name) || slugify(kind) || "request";
  return `${slug}-${hash}`;
}

function slugify(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, SLUG_LENGTH)
    .replace(/-+$/, "");
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}
