import { beforeAll, describe, expect, test } from "bun:test";
import { orderBody, problemOf } from "../../lib/testing/index.ts";
import { orderApi } from "./api-world.ts";
import { rateLimitFromEnv } from "./routes/rate-limit.ts";

const api = orderApi({ ordersPerMinute: 3 });
const body = orderBody([{ productId: "sku-1", quantity: 1 }]);

beforeAll(async () => {
  await api.setPrice("sku-1", 100);
}, 60_000);

describe("POST /orders is rate-limited per customer", () => {
  test("past the limit → 429 with Retry-After until the oldest order leaves the minute; other customers are not held", async () => {
    for (const _ of [1, 2, 3]) {
      expect((await api.post(body, "u-busy")).status).toBe(202);
      api.clock.advance(10_000);
    }
    const refused = await api.post(body, "u-busy");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("30");
    expect((await problemOf(refused)).code).toBe("order.rate_limited");
    expect((await api.post(body, "u-calm")).status).toBe(202);

    api.clock.advance(29_000);
    expect((await api.post(body, "u-busy")).status).toBe(429);
    api.clock.advance(1_000);
    expect((await api.post(body, "u-busy")).status).toBe(202);
  });

  test("a refused request is not counted: waiting for Retry-After is enough", async () => {
    for (const _ of [1, 2, 3]) expect((await api.post(body, "u-eager")).status).toBe(202);
    for (const _ of [1, 2, 3]) expect((await api.post(body, "u-eager")).status).toBe(429);
    api.clock.advance(60_000);
    expect((await api.post(body, "u-eager")).status).toBe(202);
  });
});

test("ORDERFLOW_RATE_LIMIT: unset is 60 a minute, 0 turns it off, anything else is refused at start-up", () => {
  expect([rateLimitFromEnv(undefined), rateLimitFromEnv(""), rateLimitFromEnv("0"), rateLimitFromEnv("5")]).toEqual([60, 60, 0, 5]);
  for (const bad of ["-1", "1.5", "many"]) expect(() => rateLimitFromEnv(bad)).toThrow("ORDERFLOW_RATE_LIMIT");
});
