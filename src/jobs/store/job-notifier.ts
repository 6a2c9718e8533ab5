import { EventEmitter } from "node:events";

/** Whatever learns that a job changed: watchers in this process, or the thread that serves them. */
export interface JobNotifier {
  notify(jobId: string): void;
}

/**
 * Tells watchers in this process that a job has something new (an event, a status change) the
 * moment it is written, so a watch answers at once instead of at its next poll. Watchers still
 * poll the database, for changes other processes make.
 */
export class LocalJobNotifier implements JobNotifier {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  notify(jobId: string): void {
    this.emitter.emit(jobId);
  }

  /**
   * Starts listening for `jobId` before the caller reads the database, so a change written
   * between that read and the wait is not missed.
   */
  subscribe(jobId: string): JobSubscription {
    let changed = false;
    let wake: (() => void) | undefined;
    const listener = () => {
      changed = true;
      wake?.();
    };
    this.emitter.on(jobId, listener);
    return {
      wait: (timeoutMs, signal) =>
        new Promise<void>((resolve) => {
          if (changed || signal?.aborted) {
            changed = false;
            resolve();
            return;
          }
          const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            wake = undefined;
            changed = false;
            resolve();
          };
          const timer = setTimeout(done, timeoutMs);
          wake = done;
          signal?.addEventListener("abort", done, { once: true });
        }),
      close: () => {
        this.emitter.off(jobId, listener);
        wake?.();
      },
    };
  }
}

export interface JobSubscription {
  /** Resolves at once if anything changed since the last wait, else at the next change, after `timeoutMs`, or on abort. */
  wait(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  close(): void;
}
