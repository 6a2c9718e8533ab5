/**
 * Builds that every caller asking for the same key at the same time shares: one build per key in
 * this process, however many jobs wait for it. A caller that gives up (its signal aborts) stops
 * waiting at once; the build itself is stopped only when no caller is left waiting for it, so one
 * canceled job never fails another job's preparation. The last caller to leave is answered once
 * the build has stopped, so that what it wrote is gone by then.
 */
export class SharedBuilds<T> {
  private readonly running = new Map<string, Running<T>>();

  run(key: string, build: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    let entry = this.running.get(key);
    if (entry === undefined) {
      const controller = new AbortController();
      const started: Running<T> = {
        controller,
        waiters: 0,
        promise: (async () => build(controller.signal))().finally(() => {
          if (this.running.get(key) === started) this.running.delete(key);
        }),
      };
      // Every caller awaits its own view of the build; this one only keeps a build whose callers
      // all left from failing as an unhandled rejection.
      started.promise.catch(() => undefined);
      this.running.set(key, started);
      entry = started;
    }
    return this.wait(key, entry, signal);
  }

  private wait(key: string, entry: Running<T>, signal: AbortSignal | undefined): Promise<T> {
    entry.waiters++;
    if (signal === undefined) return entry.promise;
    return new Promise<T>((resolve, reject) => {
      const leave = () => {
        entry.waiters--;
        if (entry.waiters > 0) {
          reject(signal.reason);
          return;
        }
        // A caller arriving from now on starts afresh rather than joining a build being stopped.
        if (this.running.get(key) === entry) this.running.delete(key);
        entry.controller.abort(signal.reason);
        // The last caller hears of it once the build has stopped and removed what it wrote.
        entry.promise.then(
          () => reject(signal.reason),
          () => reject(signal.reason),
        );
      };
      signal.addEventListener("abort", leave, { once: true });
      entry.promise.then(
        (value) => {
          signal.removeEventListener("abort", leave);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener("abort", leave);
          reject(error);
        },
      );
    });
  }
}

interface Running<T> {
  readonly promise: Promise<T>;
  readonly controller: AbortController;
  waiters: number;
}
