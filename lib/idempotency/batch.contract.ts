import { expect, test } from "bun:test";
import { hasCode } from "../errors/index.ts";
import { type ContractContext, LONG, SHORT } from "./contract-support.ts";
import type { ClaimAnswer, ClaimToken } from "./types.ts";

/**
 * claimMany and settleMany: a whole push's keys in one round trip each, with exactly the meaning
 * of `get` + `claim` and of `markDone` / `release` on each key.
 */
export function batchContract({ store, expire, hold }: ContractContext): void {
  /** The token of a key claimMany claimed for this caller; fails on any other answer. */
  function tokenOf(answers: Map<string, ClaimAnswer>, key: string): ClaimToken {
    const answer = answers.get(key);
    expect(answer).toEqual({ outcome: "claimed", token: expect.any(String) });
    return (answer as { token: ClaimToken }).token;
  }

  async function markedDone(key: string, ttlMs: number): Promise<void> {
    expect(await store().markDone(key, await hold(key), ttlMs)).toBe(true);
  }

  test("claimMany claims free keys, each on its own token", async () => {
    const answers = await store().claimMany(["order-1", "order-2"], LONG);
    expect([...answers.keys()]).toEqual(["order-1", "order-2"]);
    const [one, two] = [tokenOf(answers, "order-1"), tokenOf(answers, "order-2")];
    expect(one).not.toBe(two);
    expect(one.length).toBeGreaterThanOrEqual(32);
    expect(await store().get("order-1")).toBe("claimed");
    expect(await store().claim("order-2", LONG)).toBeUndefined();
    // A token holds only its own key.
    expect(await store().release("order-2", one)).toBe(false);
  });

  test("claimMany answers a done key done and leaves it as it was, TTL included", async () => {
    // Long enough to be read back before it lapses on a loaded machine, short enough to wait for.
    const doneTtl = 1_000;
    await markedDone("order-1", doneTtl);
    const answers = await store().claimMany(["order-1", "order-2"], LONG);
    expect(answers.get("order-1")).toEqual({ outcome: "done" });
    tokenOf(answers, "order-2");
    expect(await store().get("order-1")).toBe("done");
    await expire("order-1", doneTtl);
  });

  test("claimMany answers a key another delivery holds held, and leaves the claim to its holder", async () => {
    const holder = await hold("order-1");
    const answers = await store().claimMany(["order-1", "order-2"], LONG);
    expect(answers.get("order-1")).toEqual({ outcome: "held" });
    tokenOf(answers, "order-2");
    expect(await store().markDone("order-1", holder, LONG)).toBe(true);
  });

  test("claimMany answers once per distinct key", async () => {
    const answers = await store().claimMany(["order-1", "order-2", "order-1", "order-1"], LONG);
    expect([...answers.keys()]).toEqual(["order-1", "order-2"]);
    expect(await store().release("order-1", tokenOf(answers, "order-1"))).toBe(true);
    expect(await store().get("order-1")).toBeUndefined();
  });

  test("of 20 concurrent claimMany over the same keys, each key is claimed exactly once", async () => {
    const keys = ["order-1", "order-2", "order-3"];
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => store().claimMany(i % 2 ? keys : [...keys].reverse(), LONG)));
    for (const key of keys) {
      expect(all.filter((answers) => answers.get(key)?.outcome === "claimed")).toHaveLength(1);
      expect(all.filter((answers) => answers.get(key)?.outcome === "held")).toHaveLength(19);
    }
  });

  test("claimMany's claim expires after its TTL", async () => {
    await store().claimMany(["order-1"], SHORT);
    await expire("order-1", SHORT);
    expect((await store().claimMany(["order-1"], LONG)).get("order-1")?.outcome).toBe("claimed");
  });

  test("tokens from claimMany work with markDone and release", async () => {
    const answers = await store().claimMany(["order-1", "order-2"], LONG);
    expect(await store().markDone("order-1", tokenOf(answers, "order-1"), LONG)).toBe(true);
    expect(await store().release("order-2", tokenOf(answers, "order-2"))).toBe(true);
    expect(await store().get("order-1")).toBe("done");
    expect(await store().get("order-2")).toBeUndefined();
  });

  test("settleMany marks done or releases each claim, in one call, with tokens from claim or claimMany", async () => {
    const answers = await store().claimMany(["order-1", "order-2"], LONG);
    const single = await hold("order-3");
    const acted = await store().settleMany(
      [
        { key: "order-1", token: tokenOf(answers, "order-1"), done: true },
        { key: "order-2", token: tokenOf(answers, "order-2"), done: false },
        { key: "order-3", token: single, done: true },
      ],
      LONG,
    );
    expect(acted).toEqual([true, true, true]);
    expect([await store().get("order-1"), await store().get("order-2"), await store().get("order-3")]).toEqual(["done", undefined, "done"]);
    // Released: the next delivery may claim at once. Done: it is a duplicate.
    const next = await store().claimMany(["order-1", "order-2"], LONG);
    expect(next.get("order-1")).toEqual({ outcome: "done" });
    tokenOf(next, "order-2");
  });

  test("settleMany refuses a stale token and still settles the others", async () => {
    const stale = await hold("order-1", SHORT);
    await expire("order-1", SHORT);
    const fresh = await hold("order-1");
    const other = await hold("order-2");
    const acted = await store().settleMany(
      [
        { key: "order-1", token: stale, done: true },
        { key: "order-2", token: other, done: true },
        { key: "order-1", token: stale, done: false },
      ],
      LONG,
    );
    expect(acted).toEqual([false, true, false]);
    expect(await store().get("order-1")).toBe("claimed");
    expect(await store().settleMany([{ key: "order-1", token: fresh, done: false }], LONG)).toEqual([true]);
  });

  test("settleMany never touches a done marker, nor a key that is free", async () => {
    const token = await hold("order-1");
    expect(await store().markDone("order-1", token, LONG)).toBe(true);
    const acted = await store().settleMany(
      [
        { key: "order-1", token, done: false },
        { key: "never-claimed", token, done: true },
      ],
      LONG,
    );
    expect(acted).toEqual([false, false]);
    expect(await store().get("order-1")).toBe("done");
    expect(await store().get("never-claimed")).toBeUndefined();
  });

  test("settleMany's done marker lasts its own TTL, replacing the claim's", async () => {
    const token = await hold("order-1");
    expect(await store().settleMany([{ key: "order-1", token, done: true }], SHORT)).toEqual([true]);
    await expire("order-1", SHORT);
  });

  test("empty lists answer empty", async () => {
    expect((await store().claimMany([], LONG)).size).toBe(0);
    expect(await store().settleMany([], LONG)).toEqual([]);
  });

  test("a TTL that is not a positive whole number is rejected, and nothing is claimed", async () => {
    const token = await hold("order-2");
    for (const ttl of [0, -1, 1.5, Number.NaN]) {
      const claimed = await store().claimMany(["order-1"], ttl).catch((error: unknown) => error);
      expect(hasCode(claimed, "idempotency.invalid_ttl")).toBe(true);
      const settled = await store().settleMany([{ key: "order-2", token, done: true }], ttl).catch((error: unknown) => error);
      expect(hasCode(settled, "idempotency.invalid_ttl")).toBe(true);
    }
    expect(await store().get("order-1")).toBeUndefined();
    expect(await store().get("order-2")).toBe("claimed");
  });
}
