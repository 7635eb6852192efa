import { assertTtl, closedError } from "./errors.ts";
import type { IdempotencyStore, KeyState } from "./types.ts";

type Entry = { state: KeyState; expiresAt: number };

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

  // Expired keys nobody reads again would otherwise stay forever; sweeping whenever the map has
  // doubled keeps the cost amortised O(1) per write without a timer (the clock may be fake).
  function write(key: string, state: KeyState, ttlMs: number): void {
    entries.set(key, { state, expiresAt: now() + ttlMs });
    if (entries.size < 2 * sizeAtLastSweep + 64) return;
    for (const [k, entry] of entries) if (entry.expiresAt <= now()) entries.delete(k);
    sizeAtLastSweep = entries.size;
  }

  function open(): void {
    if (closed) throw closedError();
  }

  return {
    async claim(key, ttlMs) {
      open();
      assertTtl(ttlMs);
      if (live(key)) return false;
      write(key, "claimed", ttlMs);
      return true;
    },
    async markDone(key, ttlMs) {
      open();
      assertTtl(ttlMs);
      write(key, "done", ttlMs);
    },
    async release(key) {
      open();
      if (live(key)?.state === "claimed") entries.delete(key);
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
