import { expect, test } from "bun:test";
import { hasCode } from "../errors/index.ts";
import { keyedStore, type RedisCommands } from "./redis-shared.ts";
import { CLAIM_MANY, SETTLE_MANY } from "./redis-scripts.ts";

type Call = { operation: string; script: string; keys: string[]; args: string[] };

/** Both Redis adapters' semantics over a transport that records what it is asked and answers `reply`. */
function recording(reply: (call: Call) => unknown) {
  const calls: Call[] = [];
  const commands: RedisCommands = {
    setWithTtl: () => Promise.reject(new Error("not expected")),
    del: () => Promise.reject(new Error("not expected")),
    get: () => Promise.reject(new Error("not expected")),
    evalScript: async (operation, script, keys, args) => {
      const call = { operation, script, keys, args };
      calls.push(call);
      return reply(call);
    },
  };
  return { store: keyedStore(commands, "p:"), calls };
}

test("claimMany is one script for all the distinct keys, whatever their number", async () => {
  const { store, calls } = recording(({ keys }) => keys.map((_, i) => [1, "done", "claimed"][i % 3]));
  const keys = Array.from({ length: 30 }, (_, i) => `order-${i % 20}`);
  const answers = await store.claimMany(keys, 30_000);
  expect(calls).toHaveLength(1);
  expect(calls[0]!.script).toBe(CLAIM_MANY);
  expect(calls[0]!.keys).toEqual(Array.from({ length: 20 }, (_, i) => `p:order-${i}`));
  // TTL, the values the script compares with, the owners' liveness keys, this owner and its TTL,
  // then one `claimed:<owner>.<token>` per key.
  const [ttl, claimed, done, owners, owner, ownerTtl, ...values] = calls[0]!.args;
  expect([ttl, claimed, done, owners, ownerTtl]).toEqual(["30000", "claimed", "done", "p:owner:", "5000"]);
  expect(owner).toMatch(/^[0-9a-f]{32}$/);
  expect(values.every((value) => value.startsWith(`claimed:${owner}.`))).toBe(true);
  expect(answers.size).toBe(20);
  expect(answers.get("order-0")).toEqual({ outcome: "claimed", token: values[0]!.slice("claimed:".length) });
  expect(answers.get("order-1")).toEqual({ outcome: "done" });
  expect(answers.get("order-2")).toEqual({ outcome: "held" });
});

test("settleMany is one script for all the settlements", async () => {
  const { store, calls } = recording(({ keys }) => keys.map((_, i) => i % 2));
  const settlements = Array.from({ length: 10 }, (_, i) => ({ key: `order-${i}`, token: `t${i}`, done: i < 5 }));
  expect(await store.settleMany(settlements, 86_400_000)).toEqual(settlements.map((_, i) => i % 2 === 1));
  expect(calls).toHaveLength(1);
  expect(calls[0]!.script).toBe(SETTLE_MANY);
  expect(calls[0]!.args.slice(0, 4)).toEqual(["86400000", "done", "claimed:t0", "1"]);
  expect(calls[0]!.args.slice(-2)).toEqual(["claimed:t9", "0"]);
});

test("empty lists cost no round trip", async () => {
  const { store, calls } = recording(() => []);
  expect((await store.claimMany([], 30_000)).size).toBe(0);
  expect(await store.settleMany([], 30_000)).toEqual([]);
  expect(calls).toHaveLength(0);
});

test("a reply that is not one answer per key, or a foreign value, is refused", async () => {
  const short = recording(() => [1]);
  const error = await short.store.claimMany(["a", "b"], 30_000).catch((e: unknown) => e);
  expect(hasCode(error, "idempotency.unexpected_reply")).toBe(true);
  const foreign = recording(() => [0, "someone else's"]);
  const refused = await foreign.store.claimMany(["a", "b"], 30_000).catch((e: unknown) => e);
  expect(hasCode(refused, "idempotency.unexpected_value")).toBe(true);
});
