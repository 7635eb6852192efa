/**
 * The idempotency store port: the FAST path of deduplication (Redis `SET NX PX` in production).
 * It is never the truth: keys vanish on failover, eviction or flush, and a claim can expire while
 * its holder is paused. Unique constraints in the database decide; this only saves work.
 *
 * Adapters: `memory.ts`, `redis.ts` (TCP), `upstash.ts` (REST). All pass `idempotency.contract.ts`.
 */
export type KeyState = "claimed" | "done";

export type IdempotencyStore = {
  /** `SET key claimed NX PX ttl`: true when this caller now holds the key. */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Marks the work behind the key as finished, for `ttlMs` (overwrites a claim). */
  markDone(key: string, ttlMs: number): Promise<void>;
  /** Drops a claim after a failure so that a retry may proceed at once. */
  release(key: string): Promise<void>;
  get(key: string): Promise<KeyState | undefined>;
  close(): Promise<void>;
};
