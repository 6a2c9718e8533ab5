import { EventEmitter } from "node:events";

/**
 * Tells watchers in this process that a job has something new (an event, a status change) the
 * moment it is written, so a watch answers at once instead of at its next poll. Watchers still
 * poll the database, for changes other processes make.
 */
export class JobEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  notify(jobId: string): void {
    this.emitter.emit(jobId);
  }

  /** Resolves at the next notification for `jobId`, after `timeoutMs`, or when `signal` aborts. */
  next(jobId: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.emitter.off(jobId, done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.emitter.once(jobId, done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}
