import { afterEach, describe, expect, test } from "bun:test";
import { isAppError } from "../errors/index.ts";
import { UNREACHABLE_MESSAGE, withFallback } from "./resilient.ts";
import { createUpstashIdempotencyStore } from "./upstash.ts";

describe("Upstash adapter when the REST endpoint is not there", () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  }, 60_000);

  async function unavailableWithin(run: () => Promise<unknown>, budgetMs: number): Promise<void> {
    const started = performance.now();
    const error = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(performance.now() - started).toBeLessThan(budgetMs);
    expect(isAppError(error) && error.code).toBe("idempotency.unavailable");
    expect(isAppError(error) && error.retryable).toBe(true);
  }

  test("a closed port fails fast: the client's retries are off", async () => {
    const store = createUpstashIdempotencyStore({ url: "http://127.0.0.1:1", token: "t" });
    await unavailableWithin(() => store.claim("order-1", 60_000), 500);
    await unavailableWithin(() => store.markDone("order-1", "token", 60_000), 500);
    await unavailableWithin(() => store.release("order-1", "token"), 500);
    await unavailableWithin(() => store.get("order-1"), 500);
    await unavailableWithin(() => store.claimMany(["order-1", "order-2"], 60_000), 500);
    await unavailableWithin(() => store.settleMany([{ key: "order-1", token: "token", done: false }], 60_000), 500);
  });

  test("an endpoint that never answers fails within the timeout", async () => {
    const hanging = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Promise<Response>(() => {}) });
    cleanups.push(() => hanging.stop(true));
    const store = createUpstashIdempotencyStore({ url: `http://127.0.0.1:${hanging.port}`, token: "t", timeoutMs: 100 });
    await unavailableWithin(() => store.get("order-1"), 1_000);
    // Each request has its own deadline: an earlier timeout must not abort the next request early or late.
    await unavailableWithin(() => store.claim("order-1", 60_000), 1_000);
  });

  test("withFallback over it keeps handlers going", async () => {
    const logs: string[] = [];
    const store = withFallback(createUpstashIdempotencyStore({ url: "http://127.0.0.1:1", token: "t" }), (m) => logs.push(m));
    expect(await store.claim("order-1", 60_000)).toBeString();
    expect(await store.get("order-1")).toBeUndefined();
    expect((await store.claimMany(["order-1"], 60_000)).get("order-1")?.outcome).toBe("claimed");
    expect(logs).toEqual([UNREACHABLE_MESSAGE]);
  });
});
