import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { JobRunners } from "../domain/job-runners";
import type { JobNotifier } from "../store/job-notifier";
import type { FromWorkerThread, ToWorkerThread, WorkerThreadData } from "./worker-thread";

/** Starts the worker pool in a worker thread (see worker-thread.ts) and returns its handle. */
export function startWorkerThread(data: WorkerThreadData, events: JobNotifier): Promise<JobRunners> {
  const worker = new Worker(join(__dirname, "worker-thread.js"), { workerData: data });
  const send = (message: ToWorkerThread) => worker.postMessage(message);
  let closed: (() => void) | undefined;
  return new Promise((resolve, reject) => {
    const onExit = (code: number) =>
      reject(new Error(`the worker thread exited with code ${code} before it was ready`));
    worker.once("error", reject);
    worker.once("exit", onExit);
    worker.on("message", (message: FromWorkerThread) => {
      switch (message.type) {
        case "notify":
          events.notify(message.jobId);
          return;
        case "failed":
          void worker.terminate();
          reject(new Error(message.message));
          return;
        case "closed":
          closed?.();
          return;
        case "ready":
          worker.off("exit", onExit);
          resolve({
            workerId: message.workerId,
            wake: () => send({ type: "wake" }),
            stop: (jobId, reason) => send({ type: "stop", jobId, reason }),
            close: async () => {
              const done = new Promise<void>((r) => {
                closed = r;
                worker.once("exit", () => r());
              });
              send({ type: "close" });
              await done;
              await worker.terminate();
            },
          });
      }
    });
  });
}
