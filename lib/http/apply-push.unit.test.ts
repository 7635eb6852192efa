import { expect, test } from "bun:test";
import type { EventOf, EventType } from "../events/index.ts";
import { createMemoryIdempotencyStore, type IdempotencyStore } from "../idempotency/index.ts";
import { eventFor } from "../testing/index.ts";
import type { AcceptedEvent } from "./accept-event.ts";
import { applyPush, type PushSettings } from "./apply-push.ts";

/** A memory store that counts the calls of each operation: each is one round trip on Redis. */
function counted(store: IdempotencyStore) {
  const calls: Record<string, number> = {};
  const count = <A extends unknown[], R>(name: string, run: (...args: A) => Promise<R>) => (...args: A) => {
    calls[name] = (calls[name] ?? 0) + 1;
    return run(...args);
  };
  const wrapped: IdempotencyStore = {
    claim: count("claim", store.claim),
    markDone: count("markDone", store.markDone),
    release: count("release", store.release),
    get: count("get", store.get),
    claimMany: count("claimMany", store.claimMany),
    settleMany: count("settleMany", store.settleMany),
    close: store.close,
  };
  return { store: wrapped, calls };
}

const accepted = (ids: string[], failOn?: string): AcceptedEvent[] =>
  ids.map((id, i) => ({
    event: eventFor("com.example.payment.completed", `ap-${i % 3}`, { id }) as EventOf<EventType>,
    spec: {
      handle: async (event) => {
        if (event.id === failOn) throw new Error("handler failed");
        return "processed";
      },
    },
  }));

const settingsFor = (idempotency: IdempotencyStore): PushSettings => ({
  service: "inventory",
  idempotency,
  claimTtlMs: 30_000,
  doneTtlMs: 60_000,
  keyOf: ({ event }) => event.id,
});

const report = { failure: () => {}, fallback: () => {} };

test("a push asks the fast path twice, whatever its size: one claimMany, one settleMany", async () => {
  const memory = createMemoryIdempotencyStore();
  await memory.markDone("ap-done", (await memory.claim("ap-done", 30_000))!, 60_000);
  const held = await memory.claim("ap-held", 30_000);
  const { store, calls } = counted(memory);
  const ids = [...Array.from({ length: 20 }, (_, i) => `ap-${i}`), "ap-done", "ap-held", "ap-3"];

  const results = await applyPush(settingsFor(store), accepted(ids), report);
  expect(results.map((r) => r.outcome)).toEqual([...Array.from({ length: 20 }, () => "processed" as const), "duplicate", "retry", "processed"]);
  expect(calls).toEqual({ claimMany: 1, settleMany: 1 });
  expect(await memory.get("ap-0")).toBe("done");
  expect(await memory.get("ap-held")).toBe("claimed");
  expect(await memory.release("ap-held", held!)).toBe(true);
});

test("a failed event is released and the rest marked done, in the same one settleMany", async () => {
  const memory = createMemoryIdempotencyStore();
  const { store, calls } = counted(memory);
  const results = await applyPush(settingsFor(store), accepted(["ap-a", "ap-b"], "ap-b"), report);
  expect(results.map((r) => r.outcome)).toEqual(["processed", "retry"]);
  expect(calls).toEqual({ claimMany: 1, settleMany: 1 });
  expect([await memory.get("ap-a"), await memory.get("ap-b")]).toEqual(["done", undefined]);
});

test("a push that fails as a whole releases every claim in one settleMany", async () => {
  const memory = createMemoryIdempotencyStore();
  const { store, calls } = counted(memory);
  const failingDb = { transaction: () => Promise.reject(new Error("commit failed")) } as unknown as PushSettings["db"];
  const error = await applyPush({ ...settingsFor(store), db: failingDb }, accepted(["ap-a", "ap-b"]), report).catch((e: unknown) => e);
  expect((error as Error).message).toBe("commit failed");
  expect(calls).toEqual({ claimMany: 1, settleMany: 1 });
  expect([await memory.get("ap-a"), await memory.get("ap-b")]).toEqual([undefined, undefined]);
});
