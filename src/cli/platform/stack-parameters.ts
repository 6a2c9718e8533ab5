import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { type Problem, StackwrightInputError } from "../../core/errors";
import { readObjectFile } from "../flag-values";
import type { PlatformCliIo } from "./command";
import { secretFromEnv, secretFromStdin } from "./secret-values";

export interface ParameterFlags {
  param?: string[];
  paramsFile?: string;
  secretParam?: string[];
}

export interface StackParameters {
  readonly parameters: JsonObject;
  readonly secretParameters: Record<string, string>;
}

/**
 * A deploy's parameters from its flags. `--params-file` gives a JSON or YAML object; each
 * `--param key=value` sets one parameter over it, the value read as JSON when it is JSON (`3`,
 * `true`, `["a","b"]`, `"007"`) and as text otherwise (`web`, `007`). `--secret-param key=VAR`
 * reads a secret parameter's value from the environment variable VAR, `key=-` from standard
 * input (one such key at most).
 */
export async function readStackParameters(
  io: PlatformCliIo,
  flags: ParameterFlags,
): Promise<StackParameters> {
  const problems: Problem[] = [];
  const parameters: Record<string, JsonValue> = {};
  if (flags.paramsFile !== undefined)
    Object.assign(parameters, readObjectFile("--params-file", flags.paramsFile) as JsonObject);

  const given = new Set<string>();
  for (const raw of flags.param ?? []) {
    const pair = assignment("--param", raw, problems, given);
    if (pair !== undefined) parameters[pair.key] = jsonOrText(pair.value);
  }

  const secretParameters: Record<string, string> = {};
  let fromStdin: string | undefined;
  for (const raw of flags.secretParam ?? []) {
    // Never quoted back: what follows `=` may be a secret written where its variable's name goes.
    const pair = assignment("--secret-param", raw, problems, given);
    if (pair === undefined) continue;
    if (pair.value === "-") {
      if (fromStdin !== undefined)
        problems.push({
          at: "--secret-param",
          message: `${pair.key}: only one value can come from standard input`,
        });
      fromStdin = pair.key;
      continue;
    }
    try {
      secretParameters[pair.key] = secretFromEnv(io, "--secret-param", pair.value, pair.key);
    } catch (error) {
      if (!(error instanceof StackwrightInputError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new StackwrightInputError(problems);
  if (fromStdin !== undefined)
    secretParameters[fromStdin] = await secretFromStdin(io, "--secret-param", fromStdin);
  return { parameters, secretParameters };
}

/** `key=value`; a key given twice, across --param and --secret-param, is a problem. */
function assignment(
  flag: string,
  raw: string,
  problems: Problem[],
  given: Set<string>,
): { key: string; value: string } | undefined {
  const at = raw.indexOf("=");
  if (at <= 0) {
    problems.push({
      at: flag,
      message: `expected key=${flag === "--param" ? "value" : "VARIABLE or key=-"}`,
    });
    return undefined;
  }
  const key = raw.slice(0, at);
  if (given.has(key)) {
    problems.push({ at: flag, message: `${key}: given more than once` });
    return undefined;
  }
  given.add(key);
  return { key, value: raw.slice(at + 1) };
}

function jsonOrText(value: string): JsonValue {
  try {
    return JSON.parse(value) as JsonValue;
  } catch {
    return value;
  }
}
