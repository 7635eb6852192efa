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
