import { join } from "node:path";
import { isMainThread, parentPort, Worker } from "node:worker_threads";
import type { Problem } from "../../../core/errors";

/**
 * TypeScript checks run in a thread of their own: the compiler works synchronously for 40 ms to
 * seconds (cold), and in the API's thread every call and watch stream would wait for it. One
 * long-lived thread keeps the compiler's caches warm between checks; it does not keep the process
 * alive, and a thread that dies is replaced by the next check.
 */
interface Request {
  readonly id: number;
  readonly files: ReadonlyMap<string, string>;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly main: string;
  readonly given: ReadonlySet<string>;
}

type Reply =
  | { readonly id: number; readonly problems: Problem[] }
  | { readonly id: number; readonly error: string };

let thread: Worker | undefined;
let nextId = 0;
const pending = new Map<number, { resolve: (p: Problem[]) => void; reject: (e: Error) => void }>();

/** Type-checks a TypeScript template in the checker's thread (see typescript-check.ts). */
export function checkTypeScriptInThread(
  files: ReadonlyMap<string, string>,
  dependencies: Readonly<Record<string, string>>,
  main: string,
  given: ReadonlySet<string>,
): Promise<Problem[]> {
  const worker = checkerThread();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    // A check in flight keeps the process alive until its answer; an idle thread does not.
    if (pending.size === 1) worker.ref();
    worker.postMessage({ id, files, dependencies, main, given } satisfies Request);
  });
}

function checkerThread(): Worker {
  if (thread !== undefined) return thread;
  const worker = new Worker(join(__dirname, "typescript-thread.js"));
  worker.unref();
  worker.on("message", (reply: Reply) => {
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if ("error" in reply) waiting?.reject(new Error(`the TypeScript check failed: ${reply.error}`));
    else waiting?.resolve(reply.problems);
  });
  const fail = (error: Error) => {
    thread = undefined;
    for (const waiting of pending.values())
      waiting.reject(new Error(`the TypeScript check failed: ${error.message}`));
    pending.clear();
  };
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`its thread exited with code ${code}`)));
  thread = worker;
  return worker;
}

if (!isMainThread && parentPort !== null) {
  const port = parentPort;
  port.on("message", async (request: Request) => {
    try {
      const { checkTypeScriptProgram } = await import("./typescript-check.js");
      const problems = checkTypeScriptProgram(
        request.files,
        request.dependencies,
        request.main,
        request.given,
      );
      port.postMessage({ id: request.id, problems } satisfies Reply);
    } catch (error) {
      port.postMessage({
        id: request.id,
        error: error instanceof Error ? error.message : String(error),
      } satisfies Reply);
    }
  });
}
