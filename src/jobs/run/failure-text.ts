import type { ChangeSummary } from "../domain/job";
import { findingResourceLabel, type PolicyFinding } from "../domain/policy-pack";
import { commandResultOf } from "../engine/pulumi-sdk-internals";
import type { JobResult } from "../store/job-store";

/** The CLI's exit code, when the error came from running it. */
export function exitCodeOf(error: unknown): number | null {
  return commandResultOf(error)?.code ?? null;
}

/** The engine's own error lines when there are any: they say what went wrong. */
export function describeFailure(error: unknown): string {
  const result = commandResultOf(error);
  if (result) {
    const text = `${result.stderr}\n${result.stdout}`;
    const errorLines = text
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => /^error:/i.test(l));
    return errorLines.length > 0
      ? [...new Set(errorLines)].join("\n")
      : `pulumi exited with code ${result.code}: ${result.stderr.trim().split("\n").slice(-5).join("\n")}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export function failedResult(
  error: string,
  exitCode: number | null,
  changes: ChangeSummary | null,
  output: string,
  outputTruncated = false,
): JobResult {
  return { status: "failed", exitCode, error, changes, output, outputTruncated };
}

/**
 * What the engine says when an update leaves the plan it was given (Pulumi 3.259, resource/deploy:
 * "resource <urn> violates plan: properties changed: …", "create is not allowed by the plan: no
 * steps were expected for this resource", "no plan for resource <urn>"), and when it falls short
 * of it ("expected resource operations for <urn> but none were seen").
 */
const BEYOND_PLAN = /violates plan|is not allowed by the plan|no plan for resource/;
const SHORT_OF_PLAN = /expected resource operations for .* but none were seen/;
/** A resource's heading in the CLI's Diagnostics section: `  pulumi:index:Stash (extra):`. */
const DIAGNOSTICS_HEADING = /^ {2}(\S+) \((.+)\):$/;

/**
 * A failed up's error when the engine refused to leave the plan it applied: said first in plain
 * words, quoting the engine's reasons with the resource each is about, then the engine's other
 * error lines. Undefined when the failure was something else.
 */
export function planViolation(error: unknown): string | undefined {
  const result = commandResultOf(error);
  if (result === undefined) return undefined;
  const beyond: string[] = [];
  const short: string[] = [];
  let resource: string | undefined;
  for (const line of `${result.stdout}\n${result.stderr}`.split("\n")) {
    const heading = DIAGNOSTICS_HEADING.exec(line);
    if (heading !== null) resource = `${heading[2]} (${heading[1]})`;
    const reason = /^\s*error: (.*)$/i.exec(line)?.[1]?.trim();
    if (reason === undefined) continue;
    const quoted = resource === undefined || reason.includes("urn:") ? reason : `${resource}: ${reason}`;
    if (BEYOND_PLAN.test(reason)) beyond.push(quoted);
    else if (SHORT_OF_PLAN.test(reason)) short.push(quoted);
  }
  if (beyond.length === 0 && short.length === 0) return undefined;
  const headline =
    beyond.length > 0
      ? `the update would do more than the approved plan: ${[...new Set(beyond)].join("; ")}`
      : `the update would do less than the approved plan: ${[...new Set(short)].join("; ")}`;
  const otherErrors = describeFailure(error)
    .split("\n")
    .filter((l) => !BEYOND_PLAN.test(l) && !SHORT_OF_PLAN.test(l) && /^error:/i.test(l));
  return [headline, ...otherErrors].join("\n");
}

/**
 * A failed operation's error when mandatory policies stopped it: each violation with its pack,
 * policy and resource, in the words the policy reported. Undefined when none was mandatory.
 */
export function policyViolation(findings: readonly PolicyFinding[]): string | undefined {
  const mandatory = findings.filter((f) => f.enforcement === "mandatory");
  if (mandatory.length === 0) return undefined;
  const lines = mandatory.map((f) => {
    return `${f.pack}/${f.policy} on ${findingResourceLabel(f.resource)}: ${f.message.replace(/\s*\n\s*/g, " — ")}`;
  });
  return `stopped by mandatory policy: ${lines.join("; ")}`;
}
