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

/**
 * What `claimMany` answers for one key: this caller now holds it (and its token proves it), its
 * work is done (a duplicate), or another delivery holds it (retry later).
 */
export type ClaimAnswer = { outcome: "claimed"; token: ClaimToken } | { outcome: "done" } | { outcome: "held" };

/** One claim to settle after the work: mark it done (`done: true`) or release it. */
export type Settlement = { key: string; token: ClaimToken; done: boolean };

export type IdempotencyStore = {
  /**
   * `SET key claimed:<token> NX PX ttl`: the token when this caller now holds the key, else
   * undefined. On Redis a claim whose owning process is gone counts as free (redis-scripts.ts).
   */
  claim(key: string, ttlMs: number): Promise<ClaimToken | undefined>;
  /** Marks the work finished for `ttlMs`, only while `token` still holds the claim. True when it did. */
  markDone(key: string, token: ClaimToken, ttlMs: number): Promise<boolean>;
  /** Drops the claim after a failure so that a retry may proceed at once, only while `token` holds it. */
  release(key: string, token: ClaimToken): Promise<boolean>;
  get(key: string): Promise<KeyState | undefined>;
  /**
   * `claim` for every key at once, in one round trip (one script on Redis): a done key is answered
   * "done" and left untouched, a held one "held", a free one is claimed. Atomic per key, as `claim`
   * is; one answer per distinct key. An empty list costs no round trip.
   */
  claimMany(keys: readonly string[], ttlMs: number): Promise<Map<string, ClaimAnswer>>;
  /**
   * `markDone` (with `doneTtlMs`) or `release` for each settlement, in order, in one round trip, each
   * only while its token still holds its key. Per settlement, true when it acted.
   */
  settleMany(settlements: readonly Settlement[], doneTtlMs: number): Promise<boolean[]>;
  close(): Promise<void>;
};
