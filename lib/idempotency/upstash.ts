import { Redis } from "@upstash/redis";
import { closedError, unavailable } from "./errors.ts";
import { DEFAULT_PREFIX, keyedStore, type KeyedStoreOptions } from "./redis-shared.ts";
import type { IdempotencyStore } from "./types.ts";

export type UpstashIdempotencyOptions = {
  /** The Upstash REST endpoint (UPSTASH_REDIS_REST_URL) and its token. */
  url: string;
  token: string;
  /** Namespace for every key. Default "idempotency:", the same keyspace as the TCP adapter. */
  prefix?: string;
  /** Budget for each HTTP request. Default 1000. */
  timeoutMs?: number;
} & KeyedStoreOptions;

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

  const store = keyedStore(
    {
      setWithTtl: (key, value, ttlMs) => call("heartbeat", () => redis.set(key, value, { px: ttlMs })),
      del: (key) => call("close", () => redis.del(key)),
      evalScript: (operation, script, keys, args) => call(operation, () => redis.eval(script, keys, args)),
      get: (key) => call("get", () => redis.get<string>(key)),
    },
    prefix,
    options,
  );
  return {
    ...store,
    // HTTP holds no session to end; the heartbeat stops and the owner's liveness key goes.
    async close() {
      await store.close();
      closed = true;
    },
  };
}
