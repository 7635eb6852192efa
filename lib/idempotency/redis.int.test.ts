import { describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { hasCode } from "../errors/index.ts";
import { tryGetServiceUrl, waitFor } from "../testing/index.ts";
import { idempotencyStoreContract } from "./idempotency.contract.ts";
import { createRedisIdempotencyStore } from "./redis.ts";
import { deleteKeys, redirect, startTcpProxy, targetOf, uniquePrefix } from "./redis-test-support.ts";
import { RECOVERED_MESSAGE, UNREACHABLE_MESSAGE, withFallback } from "./resilient.ts";

const redisUrl = tryGetServiceUrl("redis");

describe.skipIf(!redisUrl)("Redis (Bun client) against REDIS_URL", () => {
  const url = redisUrl!;

  idempotencyStoreContract("redis", async () => {
    const prefix = uniquePrefix();
    const store = createRedisIdempotencyStore(url, { prefix });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await deleteKeys(url, prefix);
      },
    };
  });

  /** A store under a fresh prefix and a raw client to read what it wrote; both closed and the keys deleted after `check`. */
  async function withStoreAndRaw(check: (store: ReturnType<typeof createRedisIdempotencyStore>, raw: RedisClient, prefix: string) => Promise<void>) {
    const prefix = uniquePrefix();
    const store = createRedisIdempotencyStore(url, { prefix });
    const raw = new RedisClient(url);
    try {
      await check(store, raw, prefix);
    } finally {
      raw.close();
      await store.close();
      await deleteKeys(url, prefix);
    }
  }

  test("stores the documented wire format under the prefix", async () => {
    await withStoreAndRaw(async (store, raw, prefix) => {
      const token = await store.claim("order-1", 60_000);
      expect(await raw.get(`${prefix}order-1`)).toBe(`claimed:${token}`);
      const ttl = Number(await raw.send("PTTL", [`${prefix}order-1`]));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
      expect(await store.markDone("order-1", token!, 60_000)).toBe(true);
      expect(await raw.get(`${prefix}order-1`)).toBe("done");
      // A claim written before claims had owners reads as claimed, and no token releases it.
      await raw.set(`${prefix}order-2`, "claimed");
      expect(await store.get("order-2")).toBe("claimed");
      expect(await store.release("order-2", "")).toBe(false);
    });
  });

  test("claimMany and settleMany write the same wire format as claim and markDone", async () => {
    await withStoreAndRaw(async (store, raw, prefix) => {
      const answers = await store.claimMany(["order-1", "order-2"], 60_000);
      const token = (key: string) => (answers.get(key) as { token: string }).token;
      expect(await raw.get(`${prefix}order-1`)).toBe(`claimed:${token("order-1")}`);
      const ttl = Number(await raw.send("PTTL", [`${prefix}order-1`]));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
      const settled = [
        { key: "order-1", token: token("order-1"), done: true },
        { key: "order-2", token: token("order-2"), done: false },
      ];
      expect(await store.settleMany(settled, 120_000)).toEqual([true, true]);
      expect(await raw.get(`${prefix}order-1`)).toBe("done");
      expect(Number(await raw.send("PTTL", [`${prefix}order-1`]))).toBeGreaterThan(60_000);
      expect(await raw.get(`${prefix}order-2`)).toBeNull();
      // A claim written before claims had owners reads as held.
      await raw.set(`${prefix}order-3`, "claimed");
      expect((await store.claimMany(["order-3"], 60_000)).get("order-3")).toEqual({ outcome: "held" });
    });
  });

  test("a claim whose owner was killed is free once the owner's liveness lapses, long before the claim's TTL", async () => {
    const prefix = uniquePrefix();
    const ownerTtlMs = 300;
    // The owner is another process, killed with SIGKILL while it holds a claim of two minutes.
    const owner = Bun.spawn(
      [
        "bun",
        "-e",
        `import { createRedisIdempotencyStore } from ${JSON.stringify(`${import.meta.dir}/redis.ts`)};
         const store = createRedisIdempotencyStore(${JSON.stringify(url)}, { prefix: ${JSON.stringify(prefix)}, ownerTtlMs: ${ownerTtlMs} });
         console.log(await store.claim("order-1", 120000));
         setInterval(() => {}, 1000);`,
      ],
      { stdout: "pipe", stderr: "inherit" },
    );
    const store = createRedisIdempotencyStore(url, { prefix, ownerTtlMs });
    try {
      const reader = owner.stdout.getReader();
      const deadToken = new TextDecoder().decode((await reader.read()).value).trim();
      expect(deadToken).toMatch(/^[0-9a-f]{32}\./);
      // Alive, its heartbeat keeps the claim its own past several liveness TTLs.
      for (let i = 0; i < 6; i++) {
        expect((await store.claimMany(["order-1"], 60_000)).get("order-1")).toEqual({ outcome: "held" });
        await Bun.sleep(ownerTtlMs / 2);
      }
      owner.kill("SIGKILL");
      await owner.exited;
      // The claim's own TTL is two minutes; waitFor gives up after 30 s.
      const answer = await waitFor(async () => {
        const found = (await store.claimMany(["order-1"], 60_000)).get("order-1")!;
        return found.outcome === "claimed" ? found : undefined;
      });
      // The dead owner's token can no longer touch the key.
      expect(await store.release("order-1", deadToken)).toBe(false);
      expect(await store.release("order-1", answer.token)).toBe(true);
    } finally {
      owner.kill("SIGKILL");
      await store.close();
      await deleteKeys(url, prefix);
    }
  }, 60_000);

  test("closing a store frees its claims at once; a claim without an owner waits out its TTL", async () => {
    await withStoreAndRaw(async (store, raw, prefix) => {
      const closing = createRedisIdempotencyStore(url, { prefix });
      expect(await closing.claim("order-1", 60_000)).toBeString();
      expect(await store.claim("order-1", 60_000)).toBeUndefined();
      await closing.close();
      expect(await store.claim("order-1", 60_000)).toBeString();
      // A claim written before claims had owners names none to outlive: it stays held.
      await raw.send("SET", [`${prefix}order-2`, "claimed:0b6c4a5e-1111-4222-8333-944455556666", "PX", "60000"]);
      expect(await store.claim("order-2", 60_000)).toBeUndefined();
    });
  });

  test("a foreign value under one key refuses the whole claimMany, and claims nothing", async () => {
    await withStoreAndRaw(async (store, raw, prefix) => {
      await raw.set(`${prefix}order-2`, "someone else's");
      const error = await store.claimMany(["order-1", "order-2", "order-3"], 60_000).catch((e: unknown) => e);
      expect(hasCode(error, "idempotency.unexpected_value")).toBe(true);
      expect(await store.get("order-1")).toBeUndefined();
      expect(await store.get("order-3")).toBeUndefined();
    });
  });

  test("fails fast while Redis is cut off, and recovers by itself when it is back", async () => {
    const prefix = uniquePrefix();
    let proxy = startTcpProxy(targetOf(url));
    const port = proxy.port;
    const logs: string[] = [];
    const store = withFallback(createRedisIdempotencyStore(redirect(url, port), { prefix, timeoutMs: 200 }), (m) => logs.push(m));
    try {
      const held = await store.claim("order-1", 60_000);
      expect(held).toBeString();

      proxy.stop(true);
      const started = performance.now();
      for (let i = 0; i < 5; i++) expect(await store.get("order-1")).toBeUndefined();
      // The fallback's claim proceeds on a token the store never saw: it cannot touch the real claim.
      const blind = await store.claim("order-1", 60_000);
      expect(blind).toBeString();
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(logs).toEqual([UNREACHABLE_MESSAGE]);

      proxy = startTcpProxy(targetOf(url), port);
      await waitFor(async () => (await store.get("order-1")) === "claimed", { timeoutMs: 5_000, intervalMs: 10, what: "the store to reconnect" });
      expect(logs).toEqual([UNREACHABLE_MESSAGE, RECOVERED_MESSAGE]);
      expect(await store.release("order-1", blind!)).toBe(false);
      expect(await store.get("order-1")).toBe("claimed");
      expect(await store.release("order-1", held!)).toBe(true);
    } finally {
      proxy.stop(true);
      await store.close();
      await deleteKeys(url, prefix);
    }
  });
});
