import { assertTtl, closedError } from "./errors.ts";
import { newClaimToken } from "./token.ts";
import type { ClaimAnswer, ClaimToken, IdempotencyStore, KeyState } from "./types.ts";

type Entry = { state: KeyState; token?: ClaimToken; expiresAt: number };

/**
 * The embedded adapter: one process, no network. `now` is injectable so the contract can test
 * expiry by moving a clock instead of sleeping.
 */
export function createMemoryIdempotencyStore(options: { now?: () => number } = {}): IdempotencyStore {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let closed = false;
  let sizeAtLastSweep = 0;

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
  function write(key: string, entry: Omit<Entry, "expiresAt">, ttlMs: number): void {
    entries.set(key, { ...entry, expiresAt: now() + ttlMs });
    if (entries.size < 2 * sizeAtLastSweep + 64) return;
    for (const [k, e] of entries) if (e.expiresAt <= now()) entries.delete(k);
    sizeAtLastSweep = entries.size;
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
