import { StackwrightInputError } from "./errors";

/**
 * What only the operator of the platform can decide about a Stack. Nothing here has a default:
 * Stackwright never guesses a backend or a stack name.
 */
export interface StackOptions {
  /** `spec.backend`: a Pulumi backend URL. */
  readonly backend: string;
  /** `spec.stack`: `stack`, `org/stack` or `org/project/stack`. */
  readonly stackName: string;
  readonly serviceAccountName?: string;
  readonly destroyOnFinalize?: boolean;
  /** `spec.envRefs`: environment variable name → key of the stack's Secret holding its value. */
  readonly secretEnv?: Readonly<Record<string, string>>;
  /** `spec.config`: plain (non-secret) stack configuration. */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** URL schemes of the Pulumi backends: Pulumi Cloud (and self-hosted) and the DIY backends. */
export const BACKEND_SCHEMES = ["https", "http", "file", "s3", "azblob", "gs", "postgres"] as const;

/** Returns a problem message for a backend URL, or undefined when it is acceptable. */
export function backendProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `expected a backend URL such as https://api.pulumi.com, s3://bucket or file:///state, got ${JSON.stringify(value)}`;
  }
  const scheme = url.protocol.slice(0, -1);
  if (!(BACKEND_SCHEMES as readonly string[]).includes(scheme)) {
    return `scheme '${scheme}' is not a Pulumi backend; expected one of ${BACKEND_SCHEMES.map((s) => `${s}://`).join(", ")}`;
  }
  if (scheme !== "file" && url.host === "") return `a ${scheme}:// backend URL needs a host or bucket`;
  return undefined;
}

const STACK_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Returns a problem message for a stack name, or undefined when Pulumi would accept it. */
export function stackNameProblem(value: string): string | undefined {
  const segments = value.split("/");
  const stack = segments[segments.length - 1] ?? "";
  if (segments.length > 3 || segments.some((s) => !STACK_SEGMENT.test(s))) {
    return `expected 'stack', 'org/stack' or 'org/project/stack', each part letters, digits, '-', '_' or '.', got ${JSON.stringify(value)}`;
  }
  if (stack.length > 100) return "the stack part may be at most 100 characters";
  return undefined;
}

/** Checks options built in code (the stages check their environment variables themselves). */
export function checkStackOptions(options: StackOptions, fieldPrefix = ""): void {
  const problems = [
    ["backend", backendProblem(options.backend)],
    ["stackName", stackNameProblem(options.stackName)],
  ]
    .filter(([, p]) => p !== undefined)
    .map(([f, p]) => ({ at: `${fieldPrefix}${f}`, message: p as string }));
  if (problems.length > 0) throw new StackwrightInputError(problems);
}
