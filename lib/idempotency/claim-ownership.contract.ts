import { expect, test } from "bun:test";
import { type ContractContext, LONG, SHORT } from "./contract-support.ts";

/**
 * Claims have owners: only the token `claim` handed out may release the claim or mark it done. The
 * case it exists for: a holder too slow for its claim's TTL, whose late release or markDone must not
 * touch the claim of the delivery that took the key after it.
 */
export function claimOwnershipContract({ store, expire, hold }: ContractContext): void {
  test("a late release with a stale token does not drop the new holder's claim", async () => {
    const stale = await hold("order-1", SHORT);
    await expire("order-1", SHORT);
    const fresh = await hold("order-1");
    expect(await store().release("order-1", stale)).toBe(false);
    expect(await store().get("order-1")).toBe("claimed");
    expect(await store().claim("order-1", LONG)).toBeUndefined();
    expect(await store().release("order-1", fresh)).toBe(true);
  });

  test("a late markDone with a stale token does not mark", async () => {
    const stale = await hold("order-1", SHORT);
    await expire("order-1", SHORT);
    const fresh = await hold("order-1");
    expect(await store().markDone("order-1", stale, LONG)).toBe(false);
    expect(await store().get("order-1")).toBe("claimed");
    expect(await store().markDone("order-1", fresh, LONG)).toBe(true);
    expect(await store().get("order-1")).toBe("done");
  });

  test("a stale token does nothing on a key left free either", async () => {
    const stale = await hold("order-1", SHORT);
    await expire("order-1", SHORT);
    expect(await store().markDone("order-1", stale, LONG)).toBe(false);
    expect(await store().release("order-1", stale)).toBe(false);
    expect(await store().get("order-1")).toBeUndefined();
  });

  test("a released token is dead: it cannot touch the next claim", async () => {
    const first = await hold("order-1");
    expect(await store().release("order-1", first)).toBe(true);
    await hold("order-1");
    expect(await store().release("order-1", first)).toBe(false);
    expect(await store().markDone("order-1", first, LONG)).toBe(false);
    expect(await store().get("order-1")).toBe("claimed");
  });

  test("a token holds only its own key", async () => {
    const mine = await hold("order-1");
    await hold("order-2");
    expect(await store().release("order-2", mine)).toBe(false);
    expect(await store().markDone("order-2", mine, LONG)).toBe(false);
    expect(await store().get("order-2")).toBe("claimed");
  });

  test("without a token that held the claim, neither markDone nor release acts", async () => {
    await hold("order-1");
    for (const guess of ["", "claimed", "done", "order-1"]) {
      expect(await store().markDone("order-1", guess, LONG)).toBe(false);
      expect(await store().release("order-1", guess)).toBe(false);
    }
    expect(await store().markDone("never-claimed", "any-token", LONG)).toBe(false);
    expect(await store().get("never-claimed")).toBeUndefined();
    expect(await store().get("order-1")).toBe("claimed");
  });

  test("every claim gets a fresh, unguessable token", async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 10; i++) tokens.push(await hold(`order-${i}`));
    const again = await hold("order-again", SHORT);
    await expire("order-again", SHORT);
    tokens.push(again, await hold("order-again"));
    expect(new Set(tokens).size).toBe(tokens.length);
    // At least 122 random bits, as a v4 UUID carries: long enough that guessing is hopeless.
    for (const token of tokens) expect(token.length).toBeGreaterThanOrEqual(32);
  });
}
