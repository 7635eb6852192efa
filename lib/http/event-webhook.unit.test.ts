import { afterAll, beforeAll, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import type { Database } from "../db/index.ts";
import { createMemoryIdempotencyStore, type IdempotencyStore } from "../idempotency/index.ts";
import { claimEvent } from "../outbox/index.ts";
import {
  createForgetfulIdempotencyStore,
  createTestDatabase,
  createTestMessagingTables,
  deliver,
  eventFor,
  outcomesOf,
  problemOf,
  signedForTest,
  testSecurity,
  webhookUrl,
} from "../testing/index.ts";
import { toBatchRequest, type ValidCloudEvent } from "../cloudevents/index.ts";
import { defaultDedupKey, eventWebhook } from "./event-webhook.ts";
import { createMemoryLogger } from "../log/index.ts";
import { onErrorWith } from "./problem.ts";

/** The webhook's batch transaction: each event in a savepoint, per-event outcomes, and the fast path told only after commit. */
let database: Database;
let processedEvents: Awaited<ReturnType<typeof createTestMessagingTables>>["processedEvents"];
beforeAll(async () => {
  database = await createTestDatabase();
  ({ processedEvents } = await createTestMessagingTables(database));
}, 60_000);
afterAll(async () => database?.close(), 60_000);

const recorded = async (id: string) => (await database.db.select().from(processedEvents).where(eq(processedEvents.eventId, id))).length;
const sourcesOf = async (id: string) =>
  (await database.db.select().from(processedEvents).where(eq(processedEvents.eventId, id))).map((row) => row.source).sort();

const deliverBatch = async (app: ReturnType<typeof webhook>, events: ValidCloudEvent[]) =>
  app.request(await signedForTest(toBatchRequest(webhookUrl("inventory"), events)));

function webhook(idempotency: IdempotencyStore, failOn: string) {
  const app = eventWebhook({
    service: "inventory",
    subscribes: ["com.example.payment.completed"],
    idempotency,
    verify: testSecurity.verifyPush,
    db: database.db,
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

test("one failing event undoes nothing of the others and holds back only the later events of its own order", async () => {
  const idempotency = createMemoryIdempotencyStore();
  const first = eventFor("com.example.payment.completed", "wb-1", { id: "wb-first" });
  const failing = eventFor("com.example.payment.completed", "wb-2", { id: "wb-second" });
  const sameOrderLater = eventFor("com.example.payment.completed", "wb-2", { id: "wb-second-later" });
  const otherOrder = eventFor("com.example.payment.completed", "wb-6", { id: "wb-other" });

  const answered = await deliverBatch(webhook(idempotency, "wb-second"), [first, failing, sameOrderLater, otherOrder]);
  expect(answered.status).toBe(200);
  const { results } = (await answered.json()) as { results: { id: string; outcome: string; problem?: { code: string; detail: string } }[] };
  expect(results.map((r) => [r.id, r.outcome])).toEqual([
    ["wb-first", "processed"],
    ["wb-second", "retry"],
    ["wb-second-later", "retry"],
    ["wb-other", "processed"],
  ]);
  expect(results[1]?.problem?.code).toBe("internal");
  expect(results[2]?.problem).toMatchObject({ code: "event.held", detail: expect.stringContaining("wb-second") });
  // The failed event's savepoint was rolled back, the batch committed: the others are in, it is not.
  expect([await recorded("wb-first"), await recorded("wb-second"), await recorded("wb-second-later"), await recorded("wb-other")]).toEqual([1, 0, 0, 1]);
  expect(await idempotency.get(defaultDedupKey("inventory", first))).toBe("done");
  // The fast path is left open for the retry of the failed and the held ones.
  expect(await idempotency.get(defaultDedupKey("inventory", failing))).toBeUndefined();
  expect(await idempotency.get(defaultDedupKey("inventory", sameOrderLater))).toBeUndefined();

  const retried = await deliverBatch(webhook(idempotency, "none"), [first, failing, sameOrderLater, otherOrder]);
  expect(await outcomesOf(retried)).toEqual(["duplicate", "processed", "processed", "duplicate"]);
  expect([await recorded("wb-first"), await recorded("wb-second"), await recorded("wb-second-later")]).toEqual([1, 1, 1]);
});

test("a single structured event keeps the plain HTTP meaning: its failure is the answer's status", async () => {
  const event = eventFor("com.example.payment.completed", "wb-7", { id: "wb-single" });
  const response = await deliver(webhook(createMemoryIdempotencyStore(), "wb-single"), "inventory", event);
  expect(response.status).toBe(500);
  expect(await recorded("wb-single")).toBe(0);
});

test("the same event twice in one batch is applied once", async () => {
  const event = eventFor("com.example.payment.completed", "wb-3", { id: "wb-twice" });
  const response = await deliverBatch(webhook(createMemoryIdempotencyStore(), "none"), [event, event]);
  expect(await outcomesOf(response)).toEqual(["processed", "duplicate"]);
  expect(await recorded("wb-twice")).toBe(1);
});

/** Inventory's two subscriptions, from two producers: the same id may come from each. */
function twoSourceWebhook(idempotency: IdempotencyStore) {
  const handle = async (event: { source: string; id: string; type: string }) =>
    (await database.db.transaction((tx) => claimEvent(tx, processedEvents, event))) ? ("processed" as const) : ("duplicate" as const);
  const app = eventWebhook({
    service: "inventory",
    subscribes: ["com.example.payment.completed", "com.example.shipment.created"],
    idempotency,
    verify: testSecurity.verifyPush,
    handlers: { "com.example.payment.completed": { handle }, "com.example.shipment.created": { handle } },
  });
  app.onError(onErrorWith(createMemoryLogger()));
  return app;
}

test.each([
  ["with the fast path", createMemoryIdempotencyStore],
  ["without it (the database decides)", createForgetfulIdempotencyStore],
] as const)("one id from two sources is two events, both applied; the same source and id again is a duplicate, %s", async (name, store) => {
  const id = `shared-${name.length}`;
  const paid = eventFor("com.example.payment.completed", "wb-4", { id });
  const shipped = eventFor("com.example.shipment.created", "wb-4", { id });
  const app = twoSourceWebhook(store());
  expect(await outcomesOf(await deliver(app, "inventory", paid))).toEqual(["processed"]);
  expect(await outcomesOf(await deliver(app, "inventory", shipped))).toEqual(["processed"]);
  expect(await outcomesOf(await deliver(app, "inventory", shipped))).toEqual(["duplicate"]);
  expect(await sourcesOf(id)).toEqual(["/payment-service", "/shipping-service"]);
});

test("the default fast-path key tells a source holding ':' from an id holding it", () => {
  expect(defaultDedupKey("s", { source: "a:b", id: "c" })).not.toBe(defaultDedupKey("s", { source: "a", id: "b:c" }));
  expect(defaultDedupKey("s", { source: "/payment-service", id: "e-1" })).toBe('s:["/payment-service","e-1"]');
});

test("binary mode is refused with 415 before anything is read or applied: its ce- headers are outside the signature", async () => {
  const event = eventFor("com.example.payment.completed", "wb-5", { id: "wb-binary" });
  const response = await deliver(twoSourceWebhook(createMemoryIdempotencyStore()), "inventory", event, "binary");
  expect(response.status).toBe(415);
  expect((await problemOf(response)).detail).toContain("binary mode is not accepted on signed pushes");
  expect(await recorded("wb-binary")).toBe(0);
});
