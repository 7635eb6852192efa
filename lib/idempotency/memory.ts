import { assertTtl, closedError } from "./errors.ts";
import { newClaimToken } from "./token.ts";
import type { ClaimToken, IdempotencyStore, KeyState } from "./types.ts";

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

  return {
    async claim(key, ttlMs) {
      open();
      assertTtl(ttlMs);
      if (live(key)) return undefined;
      const token = newClaimToken();
      write(key, { state: "claimed", token }, ttlMs);
      return token;
    },
    async markDone(key, token, ttlMs) {
      open();
      assertTtl(ttlMs);
      if (!heldBy(key, token)) return false;
      write(key, { state: "done" }, ttlMs);
      return true;
    },
    async release(key, token) {
      open();
      return heldBy(key, token) && entries.delete(key);
    },
    async get(key) {
      open();
      return live(key)?.state;
    },
    async close() {
      closed = true;
      entries.clear();
    },
  };
}
