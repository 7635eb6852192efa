/**
 * The idempotency store port: the FAST path of deduplication (Redis `SET NX PX` in production).
 * It is never the truth: keys vanish on failover, eviction or flush, and a claim can expire while
 * its holder is paused. Unique constraints in the database decide; this only saves work.
 *
 * Adapters: `memory.ts`, `redis.ts` (TCP), `upstash.ts` (REST). All pass `idempotency.contract.ts`.
 */
export type KeyState = "claimed" | "done";

/**
 * Proof of holding a claim: random, unguessable, issued by `claim`. A claim can expire under a slow
 * holder and be won by another delivery; the token is how the late holder's `release` or `markDone`
 * is told apart from the new holder's and refused.
 */
export type ClaimToken = string;

export type IdempotencyStore = {
  /** `SET key claimed:<token> NX PX ttl`: the token when this caller now holds the key, else undefined. */
  claim(key: string, ttlMs: number): Promise<ClaimToken | undefined>;
  /** Marks the work finished for `ttlMs`, only while `token` still holds the claim. True when it did. */
  markDone(key: string, token: ClaimToken, ttlMs: number): Promise<boolean>;
  /** Drops the claim after a failure so that a retry may proceed at once, only while `token` holds it. */
  release(key: string, token: ClaimToken): Promise<boolean>;
  get(key: string): Promise<KeyState | undefined>;
  close(): Promise<void>;
};
