import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { hasCode } from "../errors/index.ts";
import type { IdempotencyStore } from "./types.ts";
import { waitFor } from "../testing/index.ts";

export type IdempotencyFixture = {
  store: IdempotencyStore;
  /** Moves the store's clock. Absent for real servers: expiry is then awaited in real time. */
  advance?: (ms: number) => Promise<void>;
  cleanup: () => Promise<void>;
};

const LONG = 60_000;
/** Short enough to wait for on a real server, long enough that a 20-way claim lands inside it. */
const SHORT = 50;

/**
 * The behaviour every adapter must share. `make` must return an isolated store each call (a fresh
 * instance, or a fresh key prefix on a shared server): the prefix test relies on it.
 */
export function idempotencyStoreContract(label: string, make: () => Promise<IdempotencyFixture>): void {
  describe(`IdempotencyStore contract: ${label}`, () => {
    let fixture: IdempotencyFixture;
    let store: IdempotencyStore;

    beforeEach(async () => {
      fixture = await make();
      store = fixture.store;
    });
    afterEach(() => fixture.cleanup());

    /** Waits for the key to lapse: moves the fake clock, or polls the real server until it is gone. */
    async function expire(key: string, ttlMs: number): Promise<void> {
      if (fixture.advance) {
        await fixture.advance(ttlMs - 1);
        expect(await store.get(key)).toBeDefined();
        await fixture.advance(1);
      } else {
        await waitFor(async () => (await store.get(key)) === undefined, { timeoutMs: 5_000, intervalMs: 10, what: `${key} to expire` });
      }
      expect(await store.get(key)).toBeUndefined();
    }

    test("the first claim wins, the second loses", async () => {
      expect(await store.claim("order-1", LONG)).toBe(true);
      expect(await store.claim("order-1", LONG)).toBe(false);
      expect(await store.get("order-1")).toBe("claimed");
    });

    test("of 20 concurrent claims exactly one wins", async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => store.claim("order-1", LONG)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    test("an unknown key has no state", async () => {
      expect(await store.get("never-seen")).toBeUndefined();
    });

    test("markDone is visible to get and overrides a claim", async () => {
      expect(await store.claim("order-1", LONG)).toBe(true);
      await store.markDone("order-1", LONG);
      expect(await store.get("order-1")).toBe("done");
    });

    test("markDone works without a prior claim", async () => {
      await store.markDone("order-1", LONG);
      expect(await store.get("order-1")).toBe("done");
    });

    test("a claim after done loses", async () => {
      await store.markDone("order-1", LONG);
      expect(await store.claim("order-1", LONG)).toBe(false);
      expect(await store.get("order-1")).toBe("done");
    });

    test("releasing a claim lets the next claim win", async () => {
      expect(await store.claim("order-1", LONG)).toBe(true);
      await store.release("order-1");
      expect(await store.get("order-1")).toBeUndefined();
      expect(await store.claim("order-1", LONG)).toBe(true);
    });

    test("release never removes a done marker", async () => {
      expect(await store.claim("order-1", LONG)).toBe(true);
      await store.markDone("order-1", LONG);
      await store.release("order-1");
      expect(await store.get("order-1")).toBe("done");
      expect(await store.claim("order-1", LONG)).toBe(false);
    });

    test("releasing an absent key is a no-op", async () => {
      await store.release("never-seen");
      expect(await store.get("never-seen")).toBeUndefined();
    });

    test("a claim expires after its TTL", async () => {
      expect(await store.claim("order-1", SHORT)).toBe(true);
      await expire("order-1", SHORT);
      expect(await store.claim("order-1", LONG)).toBe(true);
    });

    test("markDone sets its own TTL, replacing the claim's", async () => {
      expect(await store.claim("order-1", LONG)).toBe(true);
      await store.markDone("order-1", SHORT);
      await expire("order-1", SHORT);
    });

    test("keys are independent", async () => {
      expect(await store.claim("order-1", LONG)).toBe(true);
      await store.markDone("order-2", LONG);
      expect(await store.claim("order-3", LONG)).toBe(true);
      await store.release("order-3");
      expect(await store.get("order-1")).toBe("claimed");
      expect(await store.get("order-2")).toBe("done");
      expect(await store.get("order-3")).toBeUndefined();
    });

    test("stores with different prefixes do not see each other's keys", async () => {
      const other = await make();
      try {
        expect(await store.claim("order-1", LONG)).toBe(true);
        expect(await other.store.get("order-1")).toBeUndefined();
        expect(await other.store.claim("order-1", LONG)).toBe(true);
        await other.store.markDone("order-1", LONG);
        expect(await store.get("order-1")).toBe("claimed");
      } finally {
        await other.cleanup();
      }
    });

    test("a TTL that is not a positive whole number is rejected", async () => {
      for (const ttl of [0, -1, 1.5, Number.NaN]) {
        const claim = await store.claim("order-1", ttl).catch((error: unknown) => error);
        expect(hasCode(claim, "idempotency.invalid_ttl")).toBe(true);
        const done = await store.markDone("order-1", ttl).catch((error: unknown) => error);
        expect(hasCode(done, "idempotency.invalid_ttl")).toBe(true);
      }
      expect(await store.get("order-1")).toBeUndefined();
    });
  });
}
