import { hasCode } from "../errors/index.ts";
import { newClaimToken } from "./token.ts";
import type { ClaimAnswer, IdempotencyStore } from "./types.ts";

export const UNREACHABLE_MESSAGE = "idempotency store unreachable: handlers continue on database constraints alone";
export const RECOVERED_MESSAGE = "idempotency store reachable again: deduplication fast path restored";

/**
 * What handlers use. The store only saves work; the database's unique constraints decide. So when
 * the store is unreachable a handler proceeds as if it won the claim, and the constraint turns a
 * duplicate into a no-op. Its token is a fresh one the store never saw: once the store is back, its
 * `release` or `markDone` cannot touch a claim another delivery took meanwhile, and reports false
 * (as both do while the store is down: nothing was acted on). Only "idempotency.unavailable" is
 * absorbed: any other error is a bug (a bad TTL, a foreign value under our key) and must surface.
 *
 * Every call still goes to the store, which is how recovery is noticed; adapters fail fast, so
 * this costs nothing while it is down. The log fires on transitions only, not per call.
 */
export function withFallback(store: IdempotencyStore, log: (message: string) => void): IdempotencyStore {
  let reachable = true;
  // Only a call that started after the last transition may cause the next one: a slow success begun
  // before an outage, or a slow failure begun before recovery, says nothing about the store now.
  let epoch = 0;

  async function attempt<T>(run: () => Promise<T>, fallback: () => T): Promise<T> {
    const startedIn = epoch;
    try {
      const result = await run();
      if (!reachable && startedIn === epoch) {
        reachable = true;
        epoch++;
        log(RECOVERED_MESSAGE);
      }
      return result;
    } catch (error) {
      if (!hasCode(error, "idempotency.unavailable")) throw error;
      if (reachable && startedIn === epoch) {
        reachable = false;
        epoch++;
        log(UNREACHABLE_MESSAGE);
      }
      return fallback();
    }
  }

  return {
    claim: (key, ttlMs) => attempt(() => store.claim(key, ttlMs), newClaimToken),
    markDone: (key, token, ttlMs) => attempt(() => store.markDone(key, token, ttlMs), () => false),
    release: (key, token) => attempt(() => store.release(key, token), () => false),
    get: (key) => attempt(() => store.get(key), () => undefined),
    claimMany: (keys, ttlMs) => attempt(() => store.claimMany(keys, ttlMs), () => blindClaims(keys)),
    settleMany: (settlements, doneTtlMs) => attempt(() => store.settleMany(settlements, doneTtlMs), () => settlements.map(() => false)),
    close: () => store.close(),
  };
}

/** As `claim` while the store is down: every key proceeds, each on a fresh token the store never saw. */
function blindClaims(keys: readonly string[]): Map<string, ClaimAnswer> {
  return new Map(keys.map((key): [string, ClaimAnswer] => [key, { outcome: "claimed", token: newClaimToken() }]));
}
