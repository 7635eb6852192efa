import { describe, expect, test } from "bun:test";
import { AppError, hasCode } from "../errors/index.ts";
import { unavailable } from "./errors.ts";
import { createMemoryIdempotencyStore } from "./memory.ts";
import { RECOVERED_MESSAGE, UNREACHABLE_MESSAGE, withFallback } from "./resilient.ts";
import type { IdempotencyStore } from "./types.ts";

/** A memory store behind a switch: while `down`, every call fails as an unreachable server would. */
function flakyStore(): { store: IdempotencyStore; setDown(down: boolean): void; calls: () => number } {
  const inner = createMemoryIdempotencyStore();
  let down = false;
  let calls = 0;
  const guard =
    <A extends unknown[], R>(operation: string, run: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      calls++;
      if (down) throw unavailable(operation, new Error("ECONNREFUSED"));
      return run(...args);
    };
  return {
    store: {
      claim: guard("claim", inner.claim),
      markDone: guard("markDone", inner.markDone),
      release: guard("release", inner.release),
      get: guard("get", inner.get),
      claimMany: guard("claimMany", inner.claimMany),
      settleMany: guard("settleMany", inner.settleMany),
      close: inner.close,
    },
    setDown: (value) => {
      down = value;
    },
    calls: () => calls,
  };
}

describe("withFallback", () => {
  test("passes results through while the store is reachable, logging nothing", async () => {
    const logs: string[] = [];
    const store = withFallback(createMemoryIdempotencyStore(), (m) => logs.push(m));
    const token = await store.claim("order-1", 60_000);
    expect(token).toBeString();
    expect(await store.claim("order-1", 60_000)).toBeUndefined();
    expect(await store.markDone("order-1", token!, 60_000)).toBe(true);
    expect(await store.get("order-1")).toBe("done");
    expect(logs).toEqual([]);
  });

  test("while unreachable: claim proceeds, get knows nothing, markDone and release do nothing", async () => {
    const flaky = flakyStore();
    const store = withFallback(flaky.store, () => {});
    flaky.setDown(true);
    const first = await store.claim("order-1", 60_000);
    const second = await store.claim("order-1", 60_000);
    expect([typeof first, typeof second]).toEqual(["string", "string"]);
    expect(first).not.toBe(second);
    expect(await store.get("order-1")).toBeUndefined();
    expect(await store.markDone("order-1", first!, 60_000)).toBe(false);
    expect(await store.release("order-1", first!)).toBe(false);
  });

  test("while unreachable: claimMany claims every distinct key on fresh tokens, settleMany does nothing", async () => {
    const logs: string[] = [];
    const flaky = flakyStore();
    const store = withFallback(flaky.store, (m) => logs.push(m));
    flaky.setDown(true);
    const answers = await store.claimMany(["order-1", "order-2", "order-1"], 60_000);
    expect([...answers.keys()]).toEqual(["order-1", "order-2"]);
    const tokens = [...answers.values()].map((answer) => (answer.outcome === "claimed" ? answer.token : answer.outcome));
    expect(tokens.every((token) => token.length >= 32)).toBe(true);
    const again = await store.claimMany(["order-1"], 60_000);
    expect(again.get("order-1")).toEqual({ outcome: "claimed", token: expect.any(String) });
    expect(again.get("order-1")).not.toEqual(answers.get("order-1"));
    expect(await store.settleMany([{ key: "order-1", token: tokens[0]!, done: true }, { key: "order-2", token: tokens[1]!, done: false }], 60_000)).toEqual([false, false]);
    expect(logs).toEqual([UNREACHABLE_MESSAGE]);

    // Blind tokens cannot touch what is claimed once the store is back.
    flaky.setDown(false);
    const held = await store.claimMany(["order-1"], 60_000);
    expect(held.get("order-1")?.outcome).toBe("claimed");
    expect(await store.settleMany([{ key: "order-1", token: tokens[0]!, done: true }], 60_000)).toEqual([false]);
    expect(await store.get("order-1")).toBe("claimed");
    expect(logs).toEqual([UNREACHABLE_MESSAGE, RECOVERED_MESSAGE]);
  });

  test("a token issued while the store was down cannot touch the claim taken once it is back", async () => {
    const flaky = flakyStore();
    const store = withFallback(flaky.store, () => {});
    flaky.setDown(true);
    const blind = await store.claim("order-1", 60_000);
    flaky.setDown(false);
    const held = await store.claim("order-1", 60_000);
    expect(held).toBeString();
    expect(await store.release("order-1", blind!)).toBe(false);
    expect(await store.markDone("order-1", blind!, 60_000)).toBe(false);
    expect(await store.get("order-1")).toBe("claimed");
    expect(await store.markDone("order-1", held!, 60_000)).toBe(true);
  });

  test("logs once when the store becomes unreachable and once when it is back", async () => {
    const logs: string[] = [];
    const flaky = flakyStore();
    const store = withFallback(flaky.store, (m) => logs.push(m));

    await store.claim("order-1", 60_000);
    flaky.setDown(true);
    await Promise.all(Array.from({ length: 20 }, () => store.claim("order-2", 60_000)));
    await store.get("order-2");
    expect(logs).toEqual([UNREACHABLE_MESSAGE]);

    flaky.setDown(false);
    expect(await store.get("order-1")).toBe("claimed");
    await store.get("order-1");
    expect(logs).toEqual([UNREACHABLE_MESSAGE, RECOVERED_MESSAGE]);

    flaky.setDown(true);
    await store.get("order-1");
    expect(logs).toEqual([UNREACHABLE_MESSAGE, RECOVERED_MESSAGE, UNREACHABLE_MESSAGE]);
  });

  test("keeps asking the store while it is down, which is how recovery is noticed", async () => {
    const flaky = flakyStore();
    const store = withFallback(flaky.store, () => {});
    flaky.setDown(true);
    await store.get("order-1");
    await store.get("order-1");
    expect(flaky.calls()).toBe(2);
  });

  test("a slow success that began before the outage does not announce a recovery", async () => {
    const logs: string[] = [];
    let finishSlow: (token: string) => void = () => {};
    let down = false;
    const store = withFallback(
      {
        ...createMemoryIdempotencyStore(),
        claim: (key) =>
          key === "slow"
            ? new Promise<string | undefined>((resolve) => (finishSlow = resolve))
            : down
              ? Promise.reject(unavailable("claim", new Error("down")))
              : Promise.resolve("fast-token"),
      },
      (m) => logs.push(m),
    );
    const slow = store.claim("slow", 60_000);
    down = true;
    await store.claim("fast", 60_000);
    finishSlow("slow-token");
    expect(await slow).toBe("slow-token");
    expect(logs).toEqual([UNREACHABLE_MESSAGE]);
  });

  test("errors other than unavailability surface: they are bugs, not outages", async () => {
    const logs: string[] = [];
    const store = withFallback(createMemoryIdempotencyStore(), (m) => logs.push(m));
    const invalid = await store.claim("order-1", 0).catch((e: unknown) => e);
    expect(hasCode(invalid, "idempotency.invalid_ttl")).toBe(true);
    const invalidMany = await store.claimMany(["order-1"], 0).catch((e: unknown) => e);
    expect(hasCode(invalidMany, "idempotency.invalid_ttl")).toBe(true);

    const failing = withFallback(
      { ...createMemoryIdempotencyStore(), get: () => Promise.reject(new AppError("idempotency.unexpected_value", "x")) },
      (m) => logs.push(m),
    );
    const unexpected = await failing.get("order-1").catch((e: unknown) => e);
    expect(hasCode(unexpected, "idempotency.unexpected_value")).toBe(true);
    expect(logs).toEqual([]);
  });
});
