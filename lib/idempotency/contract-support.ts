import type { ClaimToken, IdempotencyStore } from "./types.ts";

export type IdempotencyFixture = {
  store: IdempotencyStore;
  /** Moves the store's clock. Absent for real servers: expiry is then awaited in real time. */
  advance?: (ms: number) => Promise<void>;
  cleanup: () => Promise<void>;
};

/** What the contract's parts share; `store()` because each test gets a fresh one. */
export type ContractContext = {
  store: () => IdempotencyStore;
  /** Waits until `key`, set with `ttlMs`, has lapsed. */
  expire: (key: string, ttlMs: number) => Promise<void>;
  /** Claims a key that must be free and returns the owner's token. */
  hold: (key: string, ttlMs?: number) => Promise<ClaimToken>;
};

export const LONG = 60_000;
/** Short enough to wait for on a real server, long enough that a 20-way claim lands inside it. */
export const SHORT = 50;
