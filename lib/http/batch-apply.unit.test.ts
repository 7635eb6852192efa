import { afterAll, beforeAll, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { toBatchRequest, type ValidCloudEvent } from "../cloudevents/index.ts";
import type { Database } from "../db/index.ts";
import type { EventOf, EventType } from "../events/index.ts";
import { type ClaimAnswer, createMemoryIdempotencyStore, type IdempotencyStore } from "../idempotency/index.ts";
import { createMemoryLogger } from "../log/index.ts";
import { claimEvent } from "../outbox/index.ts";
import { createTestDatabase, createTestMessagingTables, eventFor, outcomesOf, signedForTest, testSecurity, webhookUrl } from "../testing/index.ts";
import { planBatch } from "./batch-plan.ts";
import { type BatchApply, defaultDedupKey, eventWebhook, type Outcome } from "./event-webhook.ts";
import { onErrorWith } from "./problem.ts";
import { createServiceApp } from "./service-app.ts";

/** The set-based path of a database webhook (WebhookOptions.applyBatch) and its fallback to event by event. */
let database: Database;
let processedEvents: Awaited<ReturnType<typeof createTestMessagingTables>>["processedEvents"];
beforeAll(async () => {
  database = await createTestDatabase();
  ({ processedEvents } = await createTestMessagingTables(database));
}, 60_000);
afterAll(async () => database?.close(), 60_000);

const recorded = async (id: string) => (await database.db.select().from(processedEvents).where(eq(processedEvents.eventId, id))).length;

/** A webhook whose one-by-one handler fails on `failOn`, with the batch handler given. */
function webhook(idempotency: IdempotencyStore, applyBatch: BatchApply, failOn = "none") {
  const app = eventWebhook({
    service: "inventory",
    subscribes: ["com.example.payment.completed"],
    idempotency,
    verify: testSecurity.verifyPush,
    db: database.db,
    applyBatch,
    handlers: {
      "com.example.payment.completed": {
        handle: async (event, db = database.db) =>
          db.transaction(async (tx) => {
            const fresh = await claimEvent(tx, processedEvents, event);
            if (event.id === failOn) throw new Error("handler failed");
            return fresh ? "processed" : "duplicate";
          }),
      },
    },
  });
  app.onError(onErrorWith(createMemoryLogger()));
  return app;
}

const push = async (app: ReturnType<typeof webhook>, events: ValidCloudEvent[]) => app.request(await signedForTest(toBatchRequest(webhookUrl("inventory"), events)));

test("the batch handler gets the events the fast path lets through, at once and in order; its outcomes are the answer", async () => {
  const idempotency = createMemoryIdempotencyStore();
  const known = eventFor("com.example.payment.completed", "ba-1", { id: "ba-known" });
  await idempotency.markDone(defaultDedupKey("inventory", known), (await idempotency.claim(defaultDedupKey("inventory", known), 1_000))!, 60_000);
  const events = [eventFor("com.example.payment.completed", "ba-1", { id: "ba-a" }), known, eventFor("com.example.payment.completed", "ba-2", { id: "ba-b" })];
  const calls: string[][] = [];
  const applyBatch: BatchApply = async (batch, tx) => {
    calls.push(batch.map((e) => e.id));
    const outcomes: Outcome[] = [];
    for (const event of batch) outcomes.push((await claimEvent(tx!, processedEvents, event as EventOf<EventType>)) ? "processed" : "duplicate");
    return outcomes;
  };
  const answered = await push(webhook(idempotency, applyBatch), events);
  expect(await outcomesOf(answered)).toEqual(["processed", "duplicate", "processed"]);
  expect(calls).toEqual([["ba-a", "ba-b"]]);
  expect([await recorded("ba-a"), await recorded("ba-known"), await recorded("ba-b")]).toEqual([1, 0, 1]);
  expect(await idempotency.get(defaultDedupKey("inventory", events[0]!))).toBe("done");
});

test("a batch handler that throws leaves nothing behind: the events are applied one by one, each answered on its own", async () => {
  const idempotency = createMemoryIdempotencyStore();
  const events = [
    eventFor("com.example.payment.completed", "bf-1", { id: "bf-first" }),
    eventFor("com.example.payment.completed", "bf-2", { id: "bf-failing" }),
    eventFor("com.example.payment.completed", "bf-2", { id: "bf-later" }),
    eventFor("com.example.payment.completed", "bf-3", { id: "bf-other" }),
  ];
  const throwsAfterWriting: BatchApply = async (batch, tx) => {
    for (const event of batch) await claimEvent(tx!, processedEvents, event as EventOf<EventType>);
    throw new Error("a constraint the batch handler does not decide");
  };
  const answered = await push(webhook(idempotency, throwsAfterWriting, "bf-failing"), events);
  const { results } = (await answered.json()) as { results: Array<{ id: string; outcome: string; problem?: { code: string } }> };
  expect(results.map((r) => [r.id, r.outcome])).toEqual([
    ["bf-first", "processed"],
    ["bf-failing", "retry"],
    ["bf-later", "retry"],
    ["bf-other", "processed"],
  ]);
  expect(results[2]?.problem?.code).toBe("event.held");
  // The batch's own writes were rolled back with its transaction: each row is the one-by-one path's.
  expect([await recorded("bf-first"), await recorded("bf-failing"), await recorded("bf-later"), await recorded("bf-other")]).toEqual([1, 0, 0, 1]);
});

test("the plan: a key another delivery holds fails and holds back its order's later events; a known key is a duplicate; a repeated key goes to the handler", () => {
  const answers = new Map<string, ClaimAnswer>([
    ["k-busy", { outcome: "held" }],
    ["k-free", { outcome: "claimed", token: "token-1" }],
    ["k-done", { outcome: "done" }],
    ["k-other", { outcome: "claimed", token: "token-2" }],
  ]);
  const busy = (key: string) => new Error(`${key} busy`);
  const plan = planBatch(
    [
      { id: "e1", key: "k-busy", orderKey: "o1" },
      { id: "e2", key: "k-free", orderKey: "o1" },
      { id: "e3", key: "k-done", orderKey: "o2" },
      { id: "e4", key: "k-other", orderKey: "o3" },
      { id: "e5", key: "k-other", orderKey: "o3" },
    ],
    answers,
    busy,
  );
  expect(plan.apply).toEqual([3, 4]);
  expect(plan.decided.map((r) => (r ? `${r.id}:${r.outcome}` : undefined))).toEqual(["e1:retry", "e2:retry", "e3:duplicate", undefined, undefined]);
  expect(plan.decided[1]?.problem?.code).toBe("event.held");
  expect(plan.failures.map((f) => f.index)).toEqual([0]);
});

test("without a push transaction, a batch handler that gives up hands its events to the one-by-one path under the same claims", async () => {
  const idempotency = createMemoryIdempotencyStore();
  const handled: string[] = [];
  const events = [eventFor("com.example.payment.completed", "bn-1", { id: "bn-a" }), eventFor("com.example.payment.completed", "bn-2", { id: "bn-b" })];
  const app = eventWebhook({
    service: "notification",
    subscribes: ["com.example.payment.completed"],
    idempotency,
    verify: testSecurity.verifyPush,
    applyBatch: async (batch, tx) => {
      expect(tx).toBeUndefined();
      expect(batch.map((e) => e.id)).toEqual(["bn-a", "bn-b"]);
      throw new Error("the provider is down for the batch");
    },
    handlers: {
      "com.example.payment.completed": {
        handle: async (event) => {
          handled.push(event.id);
          return "processed";
        },
      },
    },
  });
  app.onError(onErrorWith(createMemoryLogger()));
  const answered = await app.request(await signedForTest(toBatchRequest(webhookUrl("notification"), events)));
  // Not "in progress": the fast path's claims are the push's own, whichever path applies it.
  expect(await outcomesOf(answered)).toEqual(["processed", "processed"]);
  expect(handled.sort()).toEqual(["bn-a", "bn-b"]);
  expect(await idempotency.get(defaultDedupKey("notification", events[1]!))).toBe("done");
});

test("a batch handler that leaves a push to the one-by-one path (undefined) is not a fallback: the handlers apply it, nothing is logged", async () => {
  const handled: string[] = [];
  const log = createMemoryLogger();
  const app = createServiceApp("notification", log);
  app.route(
    "/",
    eventWebhook({
    service: "notification",
    subscribes: ["com.example.payment.completed"],
    idempotency: createMemoryIdempotencyStore(),
    verify: testSecurity.verifyPush,
    applyBatch: async () => undefined,
    handlers: {
      "com.example.payment.completed": {
        handle: async (event) => {
          handled.push(event.id);
          return "processed";
        },
      },
    },
    }),
  );
  const answered = await app.request(await signedForTest(toBatchRequest(webhookUrl("notification"), [eventFor("com.example.payment.completed", "bu-1", { id: "bu-a" })])));
  expect(await outcomesOf(answered)).toEqual(["processed"]);
  expect(handled).toEqual(["bu-a"]);
  expect(log.lines().join("\n")).not.toContain("event by event");
});
