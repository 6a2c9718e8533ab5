import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import type { Problem } from "../../../core/errors";
import { fileProblem } from "./problem-at";

export interface PythonCheckOptions {
  /** The interpreter: `python3` on PATH unless given. */
  readonly python?: string;
  /** How long compiling every file may take before the template is refused for it. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 20_000;
/** More output than any honest run gives: a result per file, each message capped below. */
const MAX_OUTPUT_BYTES = 1024 * 1024;

/**
 * Run by the interpreter with `-c`. It reads `[[path, text], …]` as JSON on stdin and, for each
 * file in order, prints one JSON line (ASCII, as json.dumps escapes the rest): compile() parses and compiles the text into a code object
 * that is never run, so nothing of the template executes. The output is flushed per file, so that
 * when the compiler crashes on a file, the files before it still have their results.
 */
const COMPILE_SCRIPT = `
import json, sys, warnings
warnings.simplefilter("ignore")
for path, text in json.loads(sys.stdin.buffer.read().decode("utf-8")):
    result = {}
    try:
        compile(text, path, "exec", dont_inherit=True)
    except SyntaxError as e:
        result.update(kind=type(e).__name__, message=str(e.msg), line=e.lineno, column=e.offset)
    except (ValueError, MemoryError, RecursionError) as e:
        result.update(kind=type(e).__name__, message=str(e))
    sys.stdout.write(json.dumps(result) + "\\n")
    sys.stdout.flush()
`;

interface CompileResult {
  readonly kind?: string;
  readonly message?: string;
  readonly line?: number | null;
  readonly column?: number | null;
}

/**
 * Compiles every `.py` file of the program with the Python interpreter and reports each file's
 * syntax error at its line and column. The texts go over stdin, never on a command line; the
 * interpreter runs isolated (`-I`: no environment variables, user site or working directory on its
 * path), without the site module (`-S`) and writing no bytecode (`-B`). Throws when the
 * interpreter cannot be run.
 */
export async function checkPythonProgram(
  files: ReadonlyMap<string, string>,
  main: string,
  given: ReadonlySet<string>,
  options: PythonCheckOptions = {},
): Promise<Problem[]> {
  const problems = entryPointProblems(given, main);
  const sources = [...files].filter(([path]) => path.endsWith(".py"));
  if (sources.length === 0) return problems;
  const results = await compileAll(sources, options);
  for (const [index, result] of results.entries()) {
    const path = sources[index]?.[0];
    if (result.kind === undefined || path === undefined) continue;
    const message = (result.message ?? result.kind).slice(0, 500);
    const line = typeof result.line === "number" && result.line > 0 ? result.line : undefined;
    const column = typeof result.column === "number" && result.column > 0 ? result.column : undefined;
    problems.push(fileProblem({ path, line, column }, `${result.kind}: ${message}`));
  }
  return problems;
}

/** Pulumi runs `__main__.py` in the program's directory, or the `.py` file `main` names. */
function entryPointProblems(files: ReadonlySet<string>, main: string): Problem[] {
  if (main.endsWith(".py")) {
    return files.has(main)
      ? []
      : [{ at: "files", message: `has no ${main}, which Pulumi.yaml's main names` }];
  }
  const entry = main === "" ? "__main__.py" : `${main}/__main__.py`;
  return files.has(entry) ? [] : [{ at: "files", message: `has no ${entry}, the program Pulumi runs` }];
}

async function compileAll(
  sources: readonly (readonly [string, string])[],
  options: PythonCheckOptions,
): Promise<CompileResult[]> {
  const python = options.python ?? "python3";
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const child = spawn(python, ["-I", "-S", "-B", "-c", COMPILE_SCRIPT], {
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? "", LANG: "C.UTF-8", PYTHONIOENCODING: "utf-8" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let overflow = false;
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    if (stdout.length + chunk.length > MAX_OUTPUT_BYTES) {
      overflow = true;
      child.kill("SIGKILL");
    } else stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    if (stderr.length < 4096) stderr += chunk;
  });
  // The interpreter may stop reading (a crash) before it has all of stdin: that is seen at exit.
  child.stdin.on("error", () => {});
  child.stdin.end(JSON.stringify(sources));

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.on("error", (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          error.code === "ENOENT"
            ? new Error(
                `the Python interpreter ${python} was not found on PATH; checking a Python template needs one (option python)`,
              )
            : new Error(`the Python interpreter ${python} could not be started: ${error.message}`),
        );
      });
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal });
      });
    },
  );

  const results = parseResults(stdout, sources.length);
  if (results.length === sources.length && exit.code === 0) return results;
  if (overflow) throw new Error(`the Python check printed more than ${MAX_OUTPUT_BYTES} bytes`);
  const stuck = sources[results.length]?.[0];
  if (stuck !== undefined && (timedOut || exit.signal !== null)) {
    // The compiler gave up on this file's text (or took too long over it): the template's doing.
    const why = timedOut
      ? `took longer than ${timeoutMs / 1000} s to compile`
      : `crashed Python's compiler (${exit.signal})`;
    return [...results, { kind: "CompileError", message: why }];
  }
  throw new Error(
    `the Python check with ${python} failed (exit ${exit.code ?? exit.signal}): ${stderr.trim() || "no output"}`,
  );
}

function parseResults(stdout: string, expected: number): CompileResult[] {
  const results: CompileResult[] = [];
  for (const line of stdout.split("\n")) {
    if (line === "" || results.length === expected) continue;
    try {
      results.push(JSON.parse(line) as CompileResult);
    } catch {
      break;
    }
  }
  return results;
}
