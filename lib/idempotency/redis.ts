import { RedisClient } from "bun";
import { closedError, unavailable } from "./errors.ts";
import { DEFAULT_PREFIX, keyedStore, type KeyedStoreOptions } from "./redis-shared.ts";
import type { IdempotencyStore } from "./types.ts";

export type RedisIdempotencyOptions = {
  /** Namespace for every key. Default "idempotency:". */
  prefix?: string;
  /** Budget for connecting and for each command; also the pause between reconnect attempts. Default 1000. */
  timeoutMs?: number;
} & KeyedStoreOptions;

/**
 * The TCP adapter on Bun's built-in client. A handler must never wait on a dead Redis, and Bun's
 * defaults would make it wait: with `enableOfflineQueue` a command sent while disconnected waits
 * through up to 20 reconnect attempts (about 30 s against a closed port), and a command on a stalled
 * socket waits forever. So the offline queue and auto-reconnect are off, we connect lazily with
 * `connectionTimeout`, bound every command with our own timer, and fail with "idempotency.unavailable".
 */
export function createRedisIdempotencyStore(url: string, options: RedisIdempotencyOptions = {}): IdempotencyStore {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const timeoutMs = options.timeoutMs ?? 1000;
  const client = new RedisClient(url, {
    connectionTimeout: timeoutMs,
    enableOfflineQueue: false,
    autoReconnect: false,
  });
  const connect = lazyConnector(client, timeoutMs);
  let closed = false;

  async function send(operation: string, command: string, args: string[]): Promise<unknown> {
    if (closed) throw closedError();
    try {
      await connect();
      return await withTimeout(client.send(command, args), timeoutMs, () => {
        // A reply this late means a stalled or half-open socket, which never heals by itself:
        // drop it (failing whatever else is queued on it) so the next call reconnects.
        client.close();
      });
    } catch (error) {
      throw unavailable(operation, error);
    }
  }

  const store = keyedStore(
    {
      setWithTtl: (key, value, ttlMs) => send("heartbeat", "SET", [key, value, "PX", String(ttlMs)]),
      del: (key) => send("close", "DEL", [key]),
      evalScript: (operation, script, keys, args) => send(operation, "EVAL", [script, String(keys.length), ...keys, ...args]),
      get: (key) => send("get", "GET", [key]),
    },
    prefix,
    options,
  );
  return {
    ...store,
    async close() {
      await store.close();
      closed = true;
      client.close();
    },
  };
}

/**
 * One connection attempt at a time, shared by concurrent callers. After a failure, calls fail at
 * once until `pauseMs` has passed: against an unreachable host each attempt costs a full connection
 * timeout, and paying it on every handler call is the hang we are avoiding.
 */
function lazyConnector(client: RedisClient, pauseMs: number): () => Promise<void> {
  let attempt: Promise<void> | undefined;
  let failure: { at: number; error: unknown } | undefined;
  return async () => {
    if (client.connected) return;
    if (failure && Date.now() - failure.at < pauseMs) throw failure.error;
    attempt ??= client
      .connect()
      .then(
        () => {
          failure = undefined;
        },
        (error: unknown) => {
          failure = { at: Date.now(), error };
          throw error;
        },
      )
      .finally(() => {
        attempt = undefined;
      });
    return attempt;
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: Timer | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`no reply within ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
