import { afterEach, describe, expect, test } from "bun:test";
import type { TCPSocketListener } from "bun";
import { isAppError } from "../errors/index.ts";
import { createRedisIdempotencyStore } from "./redis.ts";
import { UNREACHABLE_MESSAGE, withFallback } from "./resilient.ts";
import type { IdempotencyStore } from "./types.ts";

/** Every operation must reject with a retryable "idempotency.unavailable" well within `budgetMs`. */
async function expectUnavailableWithin(store: IdempotencyStore, budgetMs: number): Promise<void> {
  const operations = [
    () => store.claim("order-1", 60_000),
    () => store.markDone("order-1", "token", 60_000),
    () => store.release("order-1", "token"),
    () => store.get("order-1"),
    () => store.claimMany(["order-1", "order-2"], 60_000),
    () => store.settleMany([{ key: "order-1", token: "token", done: true }], 60_000),
  ];
  for (const operation of operations) {
    const started = performance.now();
    const error = await operation().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(performance.now() - started).toBeLessThan(budgetMs);
    expect(isAppError(error) && error.code).toBe("idempotency.unavailable");
    expect(isAppError(error) && error.retryable).toBe(true);
    expect((error as Error).cause).toBeDefined();
  }
}

describe("Redis adapter when Redis is not there", () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  }, 60_000);

  test("a closed port fails every call fast, not after the client's reconnect loop", async () => {
    const store = createRedisIdempotencyStore("redis://127.0.0.1:1");
    cleanups.push(() => store.close());
    await expectUnavailableWithin(store, 500);
  });

  test("a server that accepts but never answers fails within the timeout", async () => {
    const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const store = createRedisIdempotencyStore(`redis://127.0.0.1:${silent.port}`, { timeoutMs: 100 });
    cleanups.push(() => store.close(), () => silent.stop(true));
    await expectUnavailableWithin(store, 1_000);
  });

  test("a connection that stalls after the handshake times out, and the next call reconnects", async () => {
    let connections = 0;
    // Answers HELLO (a minimal RESP3 map) on each connection, then never replies again.
    const stalling: TCPSocketListener<{ greeted: boolean }> = Bun.listen<{ greeted: boolean }>({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open(socket) {
          connections++;
          socket.data = { greeted: false };
        },
        data(socket) {
          if (socket.data.greeted) return;
          socket.data.greeted = true;
          socket.write("%1\r\n+proto\r\n:3\r\n");
        },
      },
    });
    const store = createRedisIdempotencyStore(`redis://127.0.0.1:${stalling.port}`, { timeoutMs: 100 });
    cleanups.push(() => store.close(), () => stalling.stop(true));

    await expectUnavailableWithin(store, 1_000);
    // Each timed-out command dropped its socket rather than queueing behind a dead one.
    expect(connections).toBeGreaterThan(1);
  });

  test("withFallback over an unreachable Redis lets handlers proceed and logs once", async () => {
    const logs: string[] = [];
    const store = withFallback(createRedisIdempotencyStore("redis://127.0.0.1:1"), (m) => logs.push(m));
    cleanups.push(() => store.close());

    const started = performance.now();
    const token = await store.claim("order-1", 60_000);
    expect(token).toBeString();
    expect(await store.claim("order-1", 60_000)).toBeString();
    expect(await store.get("order-1")).toBeUndefined();
    expect(await store.markDone("order-1", token!, 60_000)).toBe(false);
    expect(await store.release("order-1", token!)).toBe(false);
    expect((await store.claimMany(["order-1"], 60_000)).get("order-1")?.outcome).toBe("claimed");
    expect(await store.settleMany([{ key: "order-1", token: token!, done: true }], 60_000)).toEqual([false]);
    const tokens = await Promise.all(Array.from({ length: 20 }, () => store.claim("order-2", 60_000)));
    expect(new Set(tokens).size).toBe(20);
    expect(tokens.every((t) => typeof t === "string")).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
    expect(logs).toEqual([UNREACHABLE_MESSAGE]);
  });

  test("a closed store refuses further calls instead of reconnecting", async () => {
    const store = createRedisIdempotencyStore("redis://127.0.0.1:1");
    await store.close();
    const error = await store.get("order-1").catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe("idempotency.closed");
  });
});
