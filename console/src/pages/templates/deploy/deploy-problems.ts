import type { ErrorSchema } from "@rjsf/utils";
import type { FieldProblem } from "../../../api/field-problems";
import { addFieldError } from "./server-validator";

/** The service's problems with a deploy, sorted by where the dialog shows them. */
export interface DeployProblems {
  /** On the parameters' fields. */
  readonly parameters: ErrorSchema;
  /** On the stack's name. */
  readonly name: string[];
  /** About nothing the dialog has a field for: shown above its buttons. */
  readonly general: string[];
}

/**
 * `parameters.replicas` and `secretParameters.password` are the fields of those parameters (a
 * secret parameter's problem is named after where it was sent), `name` the stack's name; anything
 * else is the deploy's as a whole.
 */
export function sortProblems(problems: readonly FieldProblem[]): DeployProblems {
  const sorted: DeployProblems = { parameters: {}, name: [], general: [] };
  for (const { at, message } of problems) {
    const path = /^(?:parameters|secretParameters)((?:\.[^.[]+|\[\d+\])+)$/.exec(at)?.[1];
    if (path !== undefined) addFieldError(sorted.parameters, pathSegments(path), message);
    else if (at === "name") sorted.name.push(message);
    else sorted.general.push(at === "" ? message : `${at}: ${message}`);
  }
  return sorted;
}

function pathSegments(path: string): string[] {
  return [...path.matchAll(/\.([^.[]+)|\[(\d+)\]/g)].map((m) => m[1] ?? m[2] ?? "");
}
