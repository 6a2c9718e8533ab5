/**
 * How a job waits for a stack that another update holds: tries again after 1 s, 2 s, 4 s, … (at
 * most `maxDelayMs` apart) until it has waited `windowMs` in all.
 */
export interface RetryPolicy {
  readonly windowMs: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export function lockRetryPolicy(windowMs: number): RetryPolicy {
  return { windowMs, baseDelayMs: 1000, maxDelayMs: 15_000 };
}

/** The wait before attempt `attempt + 1`, given the time already waited; never past the window. */
export function retryDelay(policy: RetryPolicy, attempt: number, waitedMs: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1), policy.windowMs - waitedMs);
}

/** Resolves after `ms`, or at once when `signal` aborts: a stopped job does not sit out its wait. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
