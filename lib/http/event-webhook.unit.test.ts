import { afterAll, beforeAll, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import type { Database } from "../db/index.ts";
import { createMemoryIdempotencyStore, type IdempotencyStore } from "../idempotency/index.ts";
import { claimEvent } from "../outbox/index.ts";
import { createTestDatabase, createTestMessagingTables, eventFor, outcomesOf, signedForTest, testSecurity, webhookUrl } from "../testing/index.ts";
import { toBatchRequest, type ValidCloudEvent } from "../cloudevents/index.ts";
import { eventWebhook } from "./event-webhook.ts";
import { createMemoryLogger } from "../log/index.ts";
import { onErrorWith } from "./problem.ts";

/** The webhook's batch transaction: all of a batch or none of it, and the fast path told only after commit. */
let database: Database;
let processedEvents: Awaited<ReturnType<typeof createTestMessagingTables>>["processedEvents"];
beforeAll(async () => {
  database = await createTestDatabase();
  ({ processedEvents } = await createTestMessagingTables(database));
}, 60_000);
afterAll(async () => database?.close());

const recorded = async (id: string) => (await database.db.select().from(processedEvents).where(eq(processedEvents.eventId, id))).length;

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

test("a failure anywhere in a batch applies none of it; the fast path is left open for the retry", async () => {
  const idempotency = createMemoryIdempotencyStore();
  const first = eventFor("com.example.payment.completed", "wb-1", { id: "wb-first" });
  const second = eventFor("com.example.payment.completed", "wb-2", { id: "wb-second" });

  const failed = await deliverBatch(webhook(idempotency, "wb-second"), [first, second]);
  expect(failed.status).toBe(500);
  expect(await recorded("wb-first")).toBe(0);
  expect(await idempotency.get("inventory:wb-first")).toBeUndefined();

  const retried = await deliverBatch(webhook(idempotency, "none"), [first, second]);
  expect(await outcomesOf(retried)).toEqual(["processed", "processed"]);
  expect(await recorded("wb-first")).toBe(1);
  expect(await idempotency.get("inventory:wb-first")).toBe("done");
});

test("the same event twice in one batch is applied once", async () => {
  const event = eventFor("com.example.payment.completed", "wb-3", { id: "wb-twice" });
  const response = await deliverBatch(webhook(createMemoryIdempotencyStore(), "none"), [event, event]);
  expect(await outcomesOf(response)).toEqual(["processed", "duplicate"]);
  expect(await recorded("wb-twice")).toBe(1);
});
