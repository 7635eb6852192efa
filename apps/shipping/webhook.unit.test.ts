import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { toBatchRequest } from "../../lib/cloudevents/http.ts";
import { createFixedClock, createSequentialIds } from "../../lib/clock/fixed.ts";
import type { Database } from "../../lib/db/types.ts";
import { createMemoryIdempotencyStore } from "../../lib/idempotency/memory.ts";
import { createTestDatabase } from "../../lib/testing/database.ts";
import { emittedEvents } from "../../lib/testing/outbox.ts";
import {
  createForgetfulIdempotencyStore,
  deliver,
  deliverConcurrently,
  eventFor,
  modes,
  outcomesOf,
  problemOf,
  rejectionCases,
  tally,
  testAddress,
  webhookUrl,
} from "../../lib/testing/events.ts";
import { createApp } from "./app.ts";
import { shipments, outbox } from "./store/schema.ts";

let database: Database;
let app: ReturnType<typeof createApp>;
const ids = createSequentialIds("shp");
const clock = createFixedClock();
const withoutFastPath = () => createApp({ db: database.db, idempotency: createForgetfulIdempotencyStore(), clock, ids });

beforeAll(async () => {
  database = await createTestDatabase();
  app = createApp({ db: database.db, idempotency: createMemoryIdempotencyStore(), clock, ids });
}, 60_000);
afterAll(async () => database?.close());

const reserved = (orderId: string, id?: string) => eventFor("com.example.stock.reserved", orderId, { id });
const shipmentsOf = (orderId: string) => database.db.select().from(shipments).where(eq(shipments.orderId, orderId));
const shipmentCreatedOf = (orderId: string) => emittedEvents(database.db, outbox, orderId, "com.example.shipment.created");

async function expectShippedOnce(orderId: string) {
  const [shipment, ...more] = await shipmentsOf(orderId);
  expect(more).toEqual([]);
  expect(shipment).toMatchObject({ orderId, reservationId: `res-${orderId}`, carrier: "yamato", shippingAddress: testAddress });
  expect(shipment!.trackingNumber).toMatch(/^\d{12}$/);
  const events = await shipmentCreatedOf(orderId);
  expect(events.map((row) => row.event.data)).toEqual([
    expect.objectContaining({ orderId, shipmentId: shipment!.id, trackingNumber: shipment!.trackingNumber }),
  ]);
}

describe("shipping: stock.reserved twice → one shipment", () => {
  test.each(modes)("in a row, %s mode", async (mode) => {
    const orderId = `s-seq-${mode}`;
    expect(await outcomesOf(await deliver(app, "shipping", reserved(orderId), mode))).toEqual(["processed"]);
    expect(await outcomesOf(await deliver(app, "shipping", reserved(orderId), mode))).toEqual(["duplicate"]);
    await expectShippedOnce(orderId);
  });

  test("at once: one shipment; losers 503; the retry is a duplicate", async () => {
    const orderId = "s-concurrent";
    const responses = await deliverConcurrently(app, "shipping", reserved(orderId), 3);
    expect(await tally(responses)).toMatchObject({ processed: 1, other: [] });
    expect(await outcomesOf(await deliver(app, "shipping", reserved(orderId)))).toEqual(["duplicate"]);
    await expectShippedOnce(orderId);
  });
});

describe("shipping: batches", () => {
  test("the same event twice in one batch: processed, then duplicate", async () => {
    const orderId = "s-batch-twice";
    const response = await app.request(toBatchRequest(webhookUrl("shipping"), [reserved(orderId), reserved(orderId)]));
    expect(await outcomesOf(response)).toEqual(["processed", "duplicate"]);
    await expectShippedOnce(orderId);
  });

  test("a batch of two orders ships both, and its redelivery ships nothing more", async () => {
    const batch = () => toBatchRequest(webhookUrl("shipping"), [reserved("s-batch-1"), reserved("s-batch-2")]);
    expect(await outcomesOf(await app.request(batch()))).toEqual(["processed", "processed"]);
    expect(await outcomesOf(await withoutFastPath().request(batch()))).toEqual(["duplicate", "duplicate"]);
    await expectShippedOnce("s-batch-1");
    await expectShippedOnce("s-batch-2");
  });
});

describe("shipping without the fast path: processed_events and one shipment per order decide", () => {
  test("in a row, and again with another event id", async () => {
    const orderId = "s-db-seq";
    expect(await outcomesOf(await deliver(withoutFastPath(), "shipping", reserved(orderId)))).toEqual(["processed"]);
    expect(await outcomesOf(await deliver(withoutFastPath(), "shipping", reserved(orderId)))).toEqual(["duplicate"]);
    expect(await outcomesOf(await deliver(withoutFastPath(), "shipping", reserved(orderId, "evt-other")))).toEqual(["duplicate"]);
    await expectShippedOnce(orderId);
  });

  test("three at once: one processed, two duplicates", async () => {
    const orderId = "s-db-concurrent";
    const responses = await Promise.all([1, 2, 3].map(() => deliver(withoutFastPath(), "shipping", reserved(orderId))));
    expect(await tally(responses)).toEqual({ processed: 1, duplicate: 2, busy: 0, other: [] });
    await expectShippedOnce(orderId);
  });

  test("two event ids at once: one shipment", async () => {
    const orderId = "s-db-concurrent-ids";
    await Promise.all(["evt-a", "evt-b"].map((id) => deliver(withoutFastPath(), "shipping", reserved(orderId, id))));
    await expectShippedOnce(orderId);
  });
});

describe("shipping webhook refusals", () => {
  const orderId = "s-refused";
  const cases = rejectionCases("shipping", {
    valid: reserved(orderId),
    unhandled: eventFor("com.example.payment.completed", orderId),
    invalid: eventFor("com.example.stock.reserved", `${orderId}-2`, { data: { expiresAt: "tomorrow" } }),
    invalidField: "data.expiresAt",
  });

  test.each(cases)("$name → $status, nothing shipped", async ({ request, status, field }) => {
    const response = await app.request(request());
    expect(response.status).toBe(status);
    const problem = await problemOf(response);
    expect(problem.status).toBe(status);
    if (field) expect(problem.errors?.map((issue) => issue.field)).toContain(field);
    expect(await shipmentsOf(orderId)).toEqual([]);
  });
});

describe("GET /shipments", () => {
  test("lists the order's shipment", async () => {
    const orderId = "s-list";
    await deliver(app, "shipping", reserved(orderId));
    const response = await app.request(`/shipments?orderId=${orderId}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { shipments: Array<{ orderId: string }> };
    expect(body.shipments).toEqual([expect.objectContaining({ orderId })]);
  });

  test.each(["/shipments", "/shipments?orderId="])("%s → 400 naming orderId", async (path) => {
    const response = await app.request(path);
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors?.map((issue) => issue.field)).toContain("orderId");
  });
});

describe("an expired reservation", () => {
  test("is not shipped: inventory gives the stock back and the order is refunded instead", async () => {
    const orderId = "s-expired";
    const late = eventFor("com.example.stock.reserved", orderId, { data: { expiresAt: new Date(clock.now().getTime() - 1).toISOString() } });
    expect(await outcomesOf(await deliver(app, "shipping", late))).toEqual(["processed"]);
    expect(await shipmentsOf(orderId)).toEqual([]);
    expect(await shipmentCreatedOf(orderId)).toEqual([]);
  });
});
