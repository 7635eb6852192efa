import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { hasCode } from "../errors/index.ts";
import { batchContract } from "./batch.contract.ts";
import { claimOwnershipContract } from "./claim-ownership.contract.ts";
import { type ContractContext, type IdempotencyFixture, LONG, SHORT } from "./contract-support.ts";
import type { IdempotencyStore } from "./types.ts";
import { waitFor } from "../testing/index.ts";

export type { IdempotencyFixture } from "./contract-support.ts";

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
    }, 60_000);
    afterEach(() => fixture.cleanup(), 60_000);

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

    /** Claims a key that must be free, and hands back the owner's token. */
    async function hold(key: string, ttlMs = LONG): Promise<string> {
      const token = await store.claim(key, ttlMs);
      expect(token).toBeString();
      return token as string;
    }

    const context: ContractContext = { store: () => store, expire, hold };

    test("the first claim wins, the second loses", async () => {
      await hold("order-1");
      expect(await store.claim("order-1", LONG)).toBeUndefined();
      expect(await store.get("order-1")).toBe("claimed");
    });

    test("of 20 concurrent claims exactly one wins", async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => store.claim("order-1", LONG)));
      expect(results.filter((token) => token !== undefined)).toHaveLength(1);
    });

    test("an unknown key has no state", async () => {
      expect(await store.get("never-seen")).toBeUndefined();
    });

    test("the holder's markDone is visible to get and replaces its claim", async () => {
      const token = await hold("order-1");
      expect(await store.markDone("order-1", token, LONG)).toBe(true);
      expect(await store.get("order-1")).toBe("done");
    });

    test("a claim after done loses", async () => {
      expect(await store.markDone("order-1", await hold("order-1"), LONG)).toBe(true);
      expect(await store.claim("order-1", LONG)).toBeUndefined();
      expect(await store.get("order-1")).toBe("done");
    });

    test("the holder's release lets the next claim win", async () => {
      expect(await store.release("order-1", await hold("order-1"))).toBe(true);
      expect(await store.get("order-1")).toBeUndefined();
      await hold("order-1");
    });

    test("release never removes a done marker", async () => {
      const token = await hold("order-1");
      await store.markDone("order-1", token, LONG);
      expect(await store.release("order-1", token)).toBe(false);
      expect(await store.get("order-1")).toBe("done");
      expect(await store.claim("order-1", LONG)).toBeUndefined();
    });

    test("a claim expires after its TTL", async () => {
      await hold("order-1", SHORT);
      await expire("order-1", SHORT);
      await hold("order-1");
    });

    test("markDone sets its own TTL, replacing the claim's", async () => {
      await store.markDone("order-1", await hold("order-1"), SHORT);
      await expire("order-1", SHORT);
    });

    test("keys are independent", async () => {
      await hold("order-1");
      await store.markDone("order-2", await hold("order-2"), LONG);
      await store.release("order-3", await hold("order-3"));
      expect(await store.get("order-1")).toBe("claimed");
      expect(await store.get("order-2")).toBe("done");
      expect(await store.get("order-3")).toBeUndefined();
    });

    test("stores with different prefixes do not see each other's keys", async () => {
      const other = await make();
      try {
        await hold("order-1");
        expect(await other.store.get("order-1")).toBeUndefined();
        const token = await other.store.claim("order-1", LONG);
        expect(await other.store.markDone("order-1", token as string, LONG)).toBe(true);
        expect(await store.get("order-1")).toBe("claimed");
      } finally {
        await other.cleanup();
      }
    });

    test("a TTL that is not a positive whole number is rejected", async () => {
      for (const ttl of [0, -1, 1.5, Number.NaN]) {
        const claim = await store.claim("order-1", ttl).catch((error: unknown) => error);
        expect(hasCode(claim, "idempotency.invalid_ttl")).toBe(true);
        const done = await store.markDone("order-1", "any-token", ttl).catch((error: unknown) => error);
        expect(hasCode(done, "idempotency.invalid_ttl")).toBe(true);
      }
      expect(await store.get("order-1")).toBeUndefined();
    });

    claimOwnershipContract(context);
    batchContract(context);
  });
}
