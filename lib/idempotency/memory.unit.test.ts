import { expect, test } from "bun:test";
import { idempotencyStoreContract } from "./idempotency.contract.ts";
import { createMemoryIdempotencyStore } from "./memory.ts";

idempotencyStoreContract("memory", async () => {
  let now = 1_700_000_000_000;
  const store = createMemoryIdempotencyStore({ now: () => now });
  return {
    store,
    advance: async (ms) => {
      now += ms;
    },
    cleanup: () => store.close(),
  };
});

test("beyond maxDoneKeys the oldest done keys are forgotten; keys being claimed never are", async () => {
  const store = createMemoryIdempotencyStore({ maxDoneKeys: 10 });
  const held = await store.claim("held", 60_000);
  expect(held).toBeDefined();
  for (let i = 0; i < 11; i++) {
    const token = (await store.claim(`k${i}`, 60_000))!;
    expect(await store.markDone(`k${i}`, token, 60_000)).toBe(true);
  }
  // The eleventh done key made room: the two oldest are forgotten (down to nine), the newest kept.
  expect(await store.get("k0")).toBeUndefined();
  expect(await store.get("k1")).toBeUndefined();
  for (let i = 2; i < 11; i++) expect(await store.get(`k${i}`)).toBe("done");
  expect(await store.get("held")).toBe("claimed");
  // A forgotten key is claimed anew: the caller's database claim is what answers it as a duplicate.
  expect(await store.claim("k0", 60_000)).toBeDefined();
  await store.close();
});
