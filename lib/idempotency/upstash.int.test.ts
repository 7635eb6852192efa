import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { tryGetServiceUrl } from "../testing/index.ts";
import { idempotencyStoreContract } from "./idempotency.contract.ts";
import { createRedisIdempotencyStore } from "./redis.ts";
import { deleteKeys, uniquePrefix } from "./redis-test-support.ts";
import { startUpstashRestServer, type UpstashRestServer } from "./upstash-rest-server.ts";
import { createUpstashIdempotencyStore } from "./upstash.ts";

const redisUrl = tryGetServiceUrl("redis");
const token = `test-token-${crypto.randomUUID()}`;

describe.skipIf(!redisUrl)("Upstash REST client against a loopback REST server over REDIS_URL", () => {
  const url = redisUrl!;
  let server: UpstashRestServer;
  beforeAll(async () => {
    server = await startUpstashRestServer({ redisUrl: url, token });
  }, 60_000);
  afterAll(() => server.stop(), 60_000);

  idempotencyStoreContract("upstash", async () => {
    const prefix = uniquePrefix();
    const store = createUpstashIdempotencyStore({ url: server.url, token, prefix });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await deleteKeys(url, prefix);
      },
    };
  });

  test("shares the keyspace with the TCP adapter, so both kinds of service dedupe together", async () => {
    const prefix = uniquePrefix();
    const rest = createUpstashIdempotencyStore({ url: server.url, token, prefix });
    const tcp = createRedisIdempotencyStore(url, { prefix });
    try {
      const token = await rest.claim("order-1", 60_000);
      expect(token).toBeString();
      expect(await tcp.claim("order-1", 60_000)).toBeUndefined();
      // The token is the claim's, not the client's: whoever holds it may finish the work.
      expect(await tcp.markDone("order-1", token!, 60_000)).toBe(true);
      expect(await rest.get("order-1")).toBe("done");
    } finally {
      await tcp.close();
      await deleteKeys(url, prefix);
    }
  });

  test("claimMany and settleMany share the keyspace with the TCP adapter's single-key calls", async () => {
    const prefix = uniquePrefix();
    const rest = createUpstashIdempotencyStore({ url: server.url, token, prefix });
    const tcp = createRedisIdempotencyStore(url, { prefix });
    try {
      const held = await tcp.claim("order-2", 60_000);
      const answers = await rest.claimMany(["order-1", "order-2"], 60_000);
      expect(answers.get("order-2")).toEqual({ outcome: "held" });
      const claimed = answers.get("order-1");
      expect(claimed?.outcome).toBe("claimed");
      expect(await tcp.claim("order-1", 60_000)).toBeUndefined();
      expect(await tcp.markDone("order-1", (claimed as { token: string }).token, 60_000)).toBe(true);
      expect(await rest.settleMany([{ key: "order-2", token: held!, done: true }], 60_000)).toEqual([true]);
      expect((await tcp.claimMany(["order-1", "order-2"], 60_000)).get("order-2")).toEqual({ outcome: "done" });
    } finally {
      await tcp.close();
      await deleteKeys(url, prefix);
    }
  });

  test("the loopback server rejects a wrong token, as Upstash does", async () => {
    const response = await fetch(server.url, {
      method: "POST",
      headers: { authorization: "Bearer wrong" },
      body: JSON.stringify(["PING"]),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "Unauthorized" });
  });

  test("the loopback server answers plain and base64 results, and per-command pipeline errors", async () => {
    const key = `${uniquePrefix()}probe`;
    const post = (path: string, body: unknown, base64 = false) =>
      fetch(`${server.url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, ...(base64 ? { "upstash-encoding": "base64" } : {}) },
        body: JSON.stringify(body),
      }).then(async (response) => ({ status: response.status, body: await response.json() }));
    try {
      expect(await post("/", ["SET", key, "claimed", "PX", 60_000])).toEqual({ status: 200, body: { result: "OK" } });
      expect(await post("/", ["GET", key])).toEqual({ status: 200, body: { result: "claimed" } });
      expect(await post("/", ["GET", key], true)).toEqual({ status: 200, body: { result: btoa("claimed") } });
      const pipeline = await post("/pipeline", [["GET", key], ["INCR", key]]);
      expect(pipeline.status).toBe(200);
      expect(pipeline.body[0]).toEqual({ result: "claimed" });
      expect(pipeline.body[1].error).toContain("not an integer");
      expect((await post("/", ["NOSUCHCOMMAND"])).status).toBe(400);
    } finally {
      await post("/", ["DEL", key]);
    }
  });
});
