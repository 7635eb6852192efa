import type { RetryDelayGetter } from "@platformatic/kafka";

/** Exponential backoff for the library's own retries: 100 ms doubling to 2 s. */
const retryDelay: RetryDelayGetter = (_client, _operation, attempt) => Math.min(100 * 2 ** (attempt - 1), 2_000);

export const connectionTuning = {
  connectTimeout: 5_000,
  // A JoinGroup answer waits for the whole rebalance (up to rebalanceTimeout, 30 s).
  requestTimeout: 40_000,
};

/** Settings shared by every client this adapter creates. */
export const clientTuning = {
  ...connectionTuning,
  // Bounded: about 6 s of retries, then the caller hears about it (an idempotent producer would
  // otherwise retry forever while the broker is away).
  retries: 6,
  retryDelay,
};

/** Per-partition retry delays after a handler failure: 100 ms doubling to 5 s. */
export function createBackoff() {
  const state = new Map<string, { failures: number; until: number }>();
  return {
    isWaiting: (key: string, now: number) => (state.get(key)?.until ?? 0) > now,
    failed(key: string) {
      const failures = (state.get(key)?.failures ?? 0) + 1;
      state.set(key, { failures, until: Date.now() + Math.min(100 * 2 ** (failures - 1), 5_000) });
    },
    succeeded: (key: string) => state.delete(key),
    /** When the first waiting partition may be tried again, at most `limit` from now. */
    nextRetry: (now: number, limit: number) => Math.min(now + limit, ...[...state.values()].map((b) => b.until)),
    clear: () => state.clear(),
  };
}

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
