import { assertTtl, closedError } from "./errors.ts";
import { newClaimToken } from "./token.ts";
import type { ClaimAnswer, ClaimToken, IdempotencyStore, KeyState } from "./types.ts";

type Entry = { state: KeyState; token?: ClaimToken; expiresAt: number };

/** Done keys kept at most, beyond which the oldest are forgotten (see createMemoryIdempotencyStore). */
export const defaultMaxDoneKeys = 100_000;

/**
 * The embedded adapter: one process, no network. `now` is injectable so the contract can test
 * expiry by moving a clock instead of sleeping.
 *
 * It keeps at most `maxDoneKeys` done keys, forgetting the oldest first: a done key lives a day,
 * and at 200 orders/s a day's keys are millions, held in the process's memory (a 10-minute soak
 * kept a million). The store is the fast path, not the truth: a delivery whose key was forgotten
 * is claimed again and meets the database's claim, which answers it as the duplicate it is.
 * Claimed keys, deliveries under way, are never forgotten early.
 */
export function createMemoryIdempotencyStore(options: { now?: () => number; maxDoneKeys?: number } = {}): IdempotencyStore {
  const now = options.now ?? Date.now;
  const maxDoneKeys = options.maxDoneKeys ?? defaultMaxDoneKeys;
  const entries = new Map<string, Entry>();
  let closed = false;
  let sizeAtLastSweep = 0;
  /** Done keys written since the last count: an upper bound (expiry and release remove some unseen). */
  let doneKeys = 0;

  function live(key: string): Entry | undefined {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function heldBy(key: string, token: ClaimToken): boolean {
    const entry = live(key);
    return entry?.state === "claimed" && entry.token === token;
  }

  // Expired keys nobody reads again would otherwise stay forever; sweeping whenever the map has
  // doubled keeps the cost amortised O(1) per write without a timer (the clock may be fake).
  // A key written again moves to the end, so the map runs from the oldest write to the newest.
  function write(key: string, entry: Omit<Entry, "expiresAt">, ttlMs: number): void {
    entries.delete(key);
    entries.set(key, { ...entry, expiresAt: now() + ttlMs });
    if (entry.state === "done" && ++doneKeys > maxDoneKeys) forgetOldestDone();
    if (entries.size < 2 * sizeAtLastSweep + 64) return;
    for (const [k, e] of entries) if (e.expiresAt <= now()) entries.delete(k);
    sizeAtLastSweep = entries.size;
  }

  /** Forgets done keys from the oldest on until a tenth of the room is free again (amortised O(1) per write). */
  function forgetOldestDone(): void {
    const target = Math.floor(maxDoneKeys * 0.9);
    let done = 0;
    for (const entry of entries.values()) if (entry.state === "done") done++;
    for (const [k, e] of entries) {
      if (done <= target) break;
      if (e.state !== "done") continue;
      entries.delete(k);
      done--;
    }
    doneKeys = done;
  }

  function open(): void {
    if (closed) throw closedError();
  }

  // Callers check that the key is free in the same synchronous run: nothing can interleave
  // between check and write, which is what makes each claim atomic.
  function take(key: string, ttlMs: number): ClaimToken {
    const token = newClaimToken();
    write(key, { state: "claimed", token }, ttlMs);
    return token;
  }

  function answerFor(key: string, ttlMs: number): ClaimAnswer {
    const entry = live(key);
    if (!entry) return { outcome: "claimed", token: take(key, ttlMs) };
    return entry.state === "done" ? { outcome: "done" } : { outcome: "held" };
  }

  /** Marks done for `doneTtlMs`, or releases when it is undefined; only while `token` holds the key. */
  function settle(key: string, token: ClaimToken, doneTtlMs: number | undefined): boolean {
    if (!heldBy(key, token)) return false;
    if (doneTtlMs !== undefined) write(key, { state: "done" }, doneTtlMs);
    else entries.delete(key);
    return true;
  }

  return {
    async claim(key, ttlMs) {
      open();
      assertTtl(ttlMs);
      return live(key) ? undefined : take(key, ttlMs);
    },
    async markDone(key, token, ttlMs) {
      open();
      assertTtl(ttlMs);
      return settle(key, token, ttlMs);
    },
    async release(key, token) {
      open();
      return settle(key, token, undefined);
    },
    async get(key) {
      open();
      return live(key)?.state;
    },
    async claimMany(keys, ttlMs) {
      open();
      assertTtl(ttlMs);
      const answers = new Map<string, ClaimAnswer>();
      for (const key of keys) if (!answers.has(key)) answers.set(key, answerFor(key, ttlMs));
      return answers;
    },
    async settleMany(settlements, doneTtlMs) {
      open();
      assertTtl(doneTtlMs);
      return settlements.map(({ key, token, done }) => settle(key, token, done ? doneTtlMs : undefined));
    },
    async close() {
      closed = true;
      entries.clear();
    },
  };
}
