import { type Problem, StackwrightInputError } from "./errors";

/**
 * What only the operator of the platform can decide about a Stack. Nothing here has a default:
 * Stackwright never guesses a backend or a stack name.
 */
export interface StackOptions {
  /** `spec.backend`: a Pulumi backend URL. */
  readonly backend: string;
  /** `spec.stack`: `stack`, `org/stack` or `org/project/stack` (see stackNameProblem). */
  readonly stackName: string;
  readonly serviceAccountName?: string;
  readonly destroyOnFinalize?: boolean;
  /** `spec.envRefs`: environment variable name → key of the stack's Secret holding its value. */
  readonly secretEnv?: Readonly<Record<string, string>>;
  /** `spec.envRefs` from Secrets the platform keeps itself: variable name → Secret and key. */
  readonly existingSecretEnv?: Readonly<Record<string, ExistingSecretKey>>;
  /** `spec.config`: plain (non-secret) stack configuration. */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** A key of a Secret in the Stack's namespace that exists apart from Stackwright's own. */
export interface ExistingSecretKey {
  readonly secret: string;
  readonly key: string;
}

const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** A problem with an environment variable name, or undefined. */
export function envVarNameProblem(name: string): string | undefined {
  return ENV_VAR_NAME.test(name)
    ? undefined
    : `'${name}' is not an environment variable name (letters, digits, '_')`;
}

/** A problem with a Secret reference's name or key, or undefined (Kubernetes' own rules). */
export function secretKeyRefProblem({ secret, key }: ExistingSecretKey): string | undefined {
  if (secret.length > 253 || !DNS1123_SUBDOMAIN.test(secret))
    return `'${secret}' is not a Secret name (a DNS-1123 subdomain: lower-case letters, digits, '-', '.')`;
  if (key.length > 253 || !SECRET_KEY.test(key))
    return `'${key}' is not a Secret key (letters, digits, '-', '_', '.')`;
  return undefined;
}

/** Where the backend and the stack name came from, for messages: option names or variables. */
export interface StackOptionFields {
  readonly backend: string;
  readonly stackName: string;
}

export const OPTION_FIELDS: StackOptionFields = { backend: "backend", stackName: "stackName" };

/** URL schemes of the Pulumi backends: Pulumi Cloud (and self-hosted) and the DIY backends. */
export const BACKEND_SCHEMES = ["https", "http", "file", "s3", "azblob", "gs", "postgres"] as const;
/** The DIY backends keep state themselves and have no organizations but this one. */
export const DIY_BACKEND_SCHEMES = ["file", "s3", "azblob", "gs", "postgres"] as const;
export const DIY_ORGANIZATION = "organization";

/** Examples of each, for messages and the placeholders `stackwright init` writes. */
export const BACKEND_EXAMPLE = "https://api.pulumi.com or s3://my-state-bucket";
export const STACK_NAME_EXAMPLE = "dev, or acme/dev on Pulumi Cloud, or organization/dev on a DIY backend";

/** Query parameters that would carry a credential (postgres' `password`, a token…). */
const CREDENTIAL_PARAMETER = /pass|secret|token|credential/i;

/**
 * Returns a problem message for a backend URL, or undefined when it is acceptable. The value is
 * never quoted: a backend URL may hold a credential.
 */
export function backendProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "expected a backend URL such as https://api.pulumi.com, s3://bucket or file:///state (the value is not shown: it may hold a credential)";
  }
  const scheme = url.protocol.slice(0, -1);
  if (!(BACKEND_SCHEMES as readonly string[]).includes(scheme)) {
    return `scheme '${scheme}' is not a Pulumi backend; expected one of ${BACKEND_SCHEMES.map((s) => `${s}://`).join(", ")}`;
  }
  if (scheme !== "file" && url.host === "") return `a ${scheme}:// backend URL needs a host or bucket`;
  const credentialParameter = [...url.searchParams.keys()].some((k) => CREDENTIAL_PARAMETER.test(k));
  if (url.username !== "" || url.password !== "" || credentialParameter) {
    return "must not carry credentials (user:password@ or a password parameter): the stack's manifests are readable; give them to the stack's engine from its Secret instead, e.g. PGUSER and PGPASSWORD for postgres://, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for s3://";
  }
  return undefined;
}

/** The backend URL's scheme, lower case (`S3://` is `s3`); undefined when it is not a URL. */
function schemeOf(backend: string | undefined): string | undefined {
  if (backend === undefined || !URL.canParse(backend)) return undefined;
  return new URL(backend).protocol.slice(0, -1);
}

/** What a stack name is checked against, when the caller knows it. */
export interface StackNameContext {
  /** The stack's backend: a DIY backend accepts only the organization `organization`. */
  readonly backend?: string;
  /** The project the stack's program runs as: PKO names it after the Program (`metadata.name`). */
  readonly project?: string;
  /** Only `org/project/stack` is accepted (the job service names stacks in full). */
  readonly fullyQualified?: boolean;
}

const STACK_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The one rule for stack names: a problem message, or undefined when the engine can select the
 * stack. `stack`, `org/stack` or `org/project/stack`, each part letters, digits, `-`, `_` or `.`;
 * the organization is `organization` on a DIY backend; the project, when given, is the one the
 * program runs as — any other could never be selected.
 */
export function stackNameProblem(value: string, context: StackNameContext = {}): string | undefined {
  const segments = value.split("/");
  const stack = segments[segments.length - 1] ?? "";
  const expected = context.fullyQualified
    ? "'org/project/stack'"
    : "'stack', 'org/stack' or 'org/project/stack'";
  if (
    segments.length > 3 ||
    (context.fullyQualified && segments.length !== 3) ||
    segments.some((s) => !STACK_SEGMENT.test(s))
  ) {
    return `expected ${expected}, each part letters, digits, '-', '_' or '.', got ${JSON.stringify(value)}`;
  }
  if (segments.some((s) => s.length > 100)) return "each part of a stack name may be at most 100 characters";
  const org = segments.length > 1 ? segments[0] : undefined;
  const project = segments.length === 3 ? segments[1] : undefined;
  const scheme = schemeOf(context.backend);
  const diy = (DIY_BACKEND_SCHEMES as readonly (string | undefined)[]).includes(scheme);
  const reasons: string[] = [];
  if (diy && org !== undefined && org !== DIY_ORGANIZATION) {
    reasons.push(`a DIY backend (${scheme}://) has no organization but '${DIY_ORGANIZATION}'`);
  }
  if (context.project !== undefined && project !== undefined && project !== context.project) {
    reasons.push(
      `the program runs as project '${context.project}' (PKO names the project after the Program), so a stack of project '${project}' could never be selected`,
    );
  }
  if (reasons.length === 0) return undefined;
  const suggestedOrg = diy ? DIY_ORGANIZATION : org;
  const suggestedProject = context.project ?? project;
  const full = suggestedProject === undefined ? undefined : `${suggestedOrg}/${suggestedProject}/${stack}`;
  const suggestions = context.fullyQualified
    ? `'${full}'`
    : `${full === undefined ? `'${suggestedOrg}/${stack}'` : `'${full}'`} or just '${stack}'`;
  return `${reasons.join("; and ")}: use ${suggestions}`;
}

/**
 * Checks the backend and stack name of options built in code or read from the environment; the
 * project, when known, is the Program's name. Throws every problem, each at its field.
 */
export function checkStackOptions(
  options: Pick<StackOptions, "backend" | "stackName">,
  project?: string,
  fields: StackOptionFields = OPTION_FIELDS,
): void {
  const problems = stackOptionProblems(options, fields, project === undefined ? {} : { project });
  if (problems.length > 0) throw new StackwrightInputError(problems);
}

/** The problems with a backend and a stack name in it, each at its field. */
export function stackOptionProblems(
  options: Pick<StackOptions, "backend" | "stackName">,
  fields: StackOptionFields,
  context: Omit<StackNameContext, "backend"> = {},
): Problem[] {
  const backend = backendProblem(options.backend);
  const stackName = stackNameProblem(options.stackName, {
    ...context,
    ...(backend === undefined && { backend: options.backend }),
  });
  return [
    ...(stackName === undefined ? [] : [{ at: fields.stackName, message: stackName }]),
    ...(backend === undefined ? [] : [{ at: fields.backend, message: backend }]),
  ];
}
