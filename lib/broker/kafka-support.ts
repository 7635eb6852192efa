import type { RetryDelayGetter } from "@platformatic/kafka";

/** Exponential backoff for the library's own retries: 100 ms doubling to 2 s. */
const retryDelay: RetryDelayGetter = (_client, _operation, attempt) => Math.min(100 * 2 ** (attempt - 1), 2_000);

/** Settings shared by every client this adapter creates. */
export const clientTuning = {
  // Bounded: about 6 s of retries, then the caller hears about it (an idempotent producer would
  // otherwise retry forever while the broker is away).
  retries: 6,
  retryDelay,
  connectTimeout: 5_000,
  // A JoinGroup answer waits for the whole rebalance (up to rebalanceTimeout, 30 s).
  requestTimeout: 40_000,
};

/** A sleep that `wake()` cuts short: the fetch loop idles without delaying close or a rebalance. */
export function createWaker() {
  let wakeUp: (() => void) | undefined;
  return {
    wake() {
      wakeUp?.();
    },
    sleep(ms: number): Promise<void> {
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          if (wakeUp === done) wakeUp = undefined;
          resolve();
        };
        const timer = setTimeout(done, ms);
        wakeUp = done;
      });
    },
  };
}

/** Waits until `work` settles or `ms` pass, whichever is first; never rejects. */
export async function settleWithin(work: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!work) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([work.catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
