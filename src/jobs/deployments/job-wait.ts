import type { Job } from "../domain/job";
import type { LocalJobNotifier } from "../store/job-notifier";
import { isTerminal, type JobStore } from "../store/job-store";

/**
 * Waits for a job to end, calling `beat` at least every `beatMs` (an activity's heartbeat). The
 * notifier wakes the wait at once in this process; the poll is for jobs run by other workers.
 */
export async function awaitJobEnd(
  jobs: JobStore,
  notifier: LocalJobNotifier,
  jobId: string,
  beat: () => void,
  signal: AbortSignal,
  beatMs = 5000,
): Promise<Job> {
  const subscription = notifier.subscribe(jobId);
  try {
    for (;;) {
      const job = await jobs.get(jobId);
      if (job === undefined) throw new Error(`job ${jobId} is gone`);
      if (isTerminal(job)) return job;
      if (signal.aborted) throw signal.reason ?? new Error("canceled");
      beat();
      await subscription.wait(beatMs);
    }
  } finally {
    subscription.close();
  }
}
