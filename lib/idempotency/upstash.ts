import { Redis } from "@upstash/redis";
import { assertTtl, closedError, unavailable } from "./errors.ts";
import { acted, claimedBy, DEFAULT_PREFIX, DONE, DONE_IF_HELD, RELEASE_IF_HELD, toKeyState } from "./redis-shared.ts";
import { newClaimToken } from "./token.ts";
import type { IdempotencyStore } from "./types.ts";

export type UpstashIdempotencyOptions = {
  /** The Upstash REST endpoint (UPSTASH_REDIS_REST_URL) and its token. */
  url: string;
  token: string;
  /** Namespace for every key. Default "idempotency:", the same keyspace as the TCP adapter. */
  prefix?: string;
  /** Budget for each HTTP request. Default 1000. */
  timeoutMs?: number;
};

/**
 * The REST adapter, for runtimes without TCP. The client's defaults are tuned for availability, not
 * for a fast path: it retries a failed fetch 5 times with exponential backoff (about 4 s) and sets
 * no request timeout of its own. We turn retries off and give every request its own deadline; a fresh signal per
 * request because a shared one, once aborted, would abort everything after it.
 */
export function createUpstashIdempotencyStore(options: UpstashIdempotencyOptions): IdempotencyStore {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const timeoutMs = options.timeoutMs ?? 1000;
  const redis = new Redis({
    url: options.url,
    token: options.token,
    retry: false,
    signal: () => AbortSignal.timeout(timeoutMs),
    // Values are our own plain strings; the default JSON parsing would only add surprises.
    automaticDeserialization: false,
    enableTelemetry: false,
  });
  let closed = false;

  async function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    if (closed) throw closedError();
    try {
      return await run();
    } catch (error) {
      throw unavailable(operation, error);
    }
  }

  return {
    async claim(key, ttlMs) {
      assertTtl(ttlMs);
      const token = newClaimToken();
      const reply = await call("claim", () => redis.set(prefix + key, claimedBy(token), { nx: true, px: ttlMs }));
      return reply === "OK" ? token : undefined;
    },
    async markDone(key, token, ttlMs) {
      assertTtl(ttlMs);
      return acted(await call("markDone", () => redis.eval(DONE_IF_HELD, [prefix + key], [claimedBy(token), DONE, String(ttlMs)])));
    },
    async release(key, token) {
      return acted(await call("release", () => redis.eval(RELEASE_IF_HELD, [prefix + key], [claimedBy(token)])));
    },
    async get(key) {
      return toKeyState(await call("get", () => redis.get<string>(prefix + key)));
    },
    // HTTP holds no session to end.
    async close() {
      closed = true;
    },
  };
}
