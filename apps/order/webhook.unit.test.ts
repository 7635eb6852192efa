import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createFixedClock, createSequentialIds } from "../../lib/clock/fixed.ts";
import type { Database } from "../../lib/db/types.ts";
import type { EventType } from "../../lib/events/index.ts";
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
} from "../../lib/testing/events.ts";
import { createApp } from "./app.ts";
import type { PlaceOrder } from "./routes/place-order.ts";
import { insertOrder } from "./store/orders.ts";
import { outbox } from "./store/schema.ts";

let database: Database;
let app: ReturnType<typeof createApp>;
const ids = createSequentialIds("ord");
const clock = createFixedClock();
const withoutFastPath = () => createApp({ db: database.db, idempotency: createForgetfulIdempotencyStore(), clock, ids });

beforeAll(async () => {
  database = await createTestDatabase();
  app = createApp({ db: database.db, idempotency: createMemoryIdempotencyStore(), clock, ids });
}, 60_000);
afterAll(async () => database?.close());

const orderBody: PlaceOrder = { userId: "user-1", items: [{ productId: "sku-1", quantity: 2, unitPrice: 1500 }], currency: "JPY", shippingAddress: testAddress, payment: { method: "credit_card", token: "tok_visa" } };

async function placeOrder(): Promise<string> {
  const response = await app.request("/orders", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(orderBody) });
  expect(response.status).toBe(202);
  return ((await response.json()) as { orderId: string }).orderId;
}

type OrderView = { status: string; reason?: string; timeline: Array<{ id: string; type: string }> };
async function view(orderId: string): Promise<OrderView> {
  const response = await app.request(`/orders/${orderId}`);
  expect(response.status).toBe(200);
  return (await response.json()) as OrderView;
}

const cancellationsOf = (orderId: string) => emittedEvents(database.db, outbox, orderId, "com.example.order.cancelled");

/** What each event does to a pending order, and whether it emits order.cancelled. */
const effects: Array<{ type: EventType; status: string; reason?: string; cancels: number }> = [
  { type: "com.example.payment.completed", status: "paid", cancels: 0 },
  { type: "com.example.payment.failed", status: "cancelled", reason: "payment_failed", cancels: 1 },
  { type: "com.example.payment.refunded", status: "cancelled", reason: "out_of_stock", cancels: 1 },
  { type: "com.example.stock.reserved", status: "reserved", cancels: 0 },
  { type: "com.example.stock.insufficient", status: "pending", cancels: 0 },
  { type: "com.example.shipment.created", status: "shipped", cancels: 0 },
];

async function expectOneEffect(orderId: string, eventId: string, effect: (typeof effects)[number]) {
  const order = await view(orderId);
  expect(order.status).toBe(effect.status);
  expect(order.reason).toBe(effect.reason);
  expect(order.timeline.filter((entry) => entry.id === eventId)).toHaveLength(1);
  const cancellations = await cancellationsOf(orderId);
  expect(cancellations).toHaveLength(effect.cancels);
  for (const { event } of cancellations) {
    expect(event).toMatchObject({ causationid: eventId, correlationid: orderId, data: { orderId, reason: effect.reason } });
  }
}

describe("order webhook: each event twice, one effect", () => {
  test.each(effects)("$type twice → status $status once, one timeline entry", async (effect) => {
    const orderId = await placeOrder();
    const event = eventFor(effect.type, orderId);
    const first = await deliver(app, "order", event);
    expect(first.status).toBe(200);
    expect(await outcomesOf(first)).toEqual(["processed"]);
    const second = await deliver(app, "order", event);
    expect(second.status).toBe(200);
    expect(await outcomesOf(second)).toEqual(["duplicate"]);
    await expectOneEffect(orderId, event.id, effect);
  });

  test.each(modes)("a redelivery in %s mode is a duplicate", async (mode) => {
    const orderId = await placeOrder();
    const event = eventFor("com.example.payment.completed", orderId);
    expect(await outcomesOf(await deliver(app, "order", event, mode))).toEqual(["processed"]);
    expect(await outcomesOf(await deliver(app, "order", event, mode))).toEqual(["duplicate"]);
    await expectOneEffect(orderId, event.id, effects[0]!);
  });

  test.each(effects)("$type delivered concurrently → one effect; losers 503, retry is a duplicate", async (effect) => {
    const orderId = await placeOrder();
    const event = eventFor(effect.type, orderId);
    const responses = await deliverConcurrently(app, "order", event, 3);
    expect(await tally(responses)).toMatchObject({ processed: 1, other: [] });
    expect(await outcomesOf(await deliver(app, "order", event))).toEqual(["duplicate"]);
    await expectOneEffect(orderId, event.id, effect);
  });

  test("a late event never moves an order backwards and is still recorded once", async () => {
    const orderId = await placeOrder();
    await deliver(app, "order", eventFor("com.example.shipment.created", orderId));
    const late = eventFor("com.example.payment.completed", orderId);
    expect(await outcomesOf(await deliver(app, "order", late))).toEqual(["processed"]);
    expect(await outcomesOf(await deliver(app, "order", late))).toEqual(["duplicate"]);
    const order = await view(orderId);
    expect(order.status).toBe("shipped");
    expect(order.timeline.map((entry) => entry.type).sort()).toEqual([
      "com.example.order.created",
      "com.example.payment.completed",
      "com.example.shipment.created",
    ]);
  });
});

describe("order webhook without the fast path: the timeline's primary key alone decides", () => {
  test.each(effects)("$type twice in a row → one effect", async (effect) => {
    const orderId = await placeOrder();
    const event = eventFor(effect.type, orderId);
    expect(await outcomesOf(await deliver(withoutFastPath(), "order", event))).toEqual(["processed"]);
    expect(await outcomesOf(await deliver(withoutFastPath(), "order", event))).toEqual(["duplicate"]);
    await expectOneEffect(orderId, event.id, effect);
  });

  test.each(effects)("$type three times at once → one processed, two duplicates, one effect", async (effect) => {
    const orderId = await placeOrder();
    const event = eventFor(effect.type, orderId);
    const responses = await Promise.all([1, 2, 3].map(() => deliver(withoutFastPath(), "order", event)));
    expect(await tally(responses)).toEqual({ processed: 1, duplicate: 2, busy: 0, other: [] });
    await expectOneEffect(orderId, event.id, effect);
  });

  test("a failed payment and a refund racing cancel once, with one order.cancelled", async () => {
    const orderId = await placeOrder();
    await Promise.all([
      deliver(withoutFastPath(), "order", eventFor("com.example.payment.failed", orderId)),
      deliver(withoutFastPath(), "order", eventFor("com.example.payment.refunded", orderId)),
    ]);
    expect((await view(orderId)).status).toBe("cancelled");
    expect(await cancellationsOf(orderId)).toHaveLength(1);
  });
});

describe("order webhook refusals", () => {
  // Inserted directly (not POSTed) so its id is known when the cases are built; its timeline starts empty.
  const orderId = "o-refused";
  beforeAll(async () => {
    const now = clock.now();
    await insertOrder(database.db, { id: orderId, ...orderBody, status: "pending", totalAmount: 3000, createdAt: now, updatedAt: now });
  });

  const cases = rejectionCases("order", {
    valid: eventFor("com.example.payment.failed", orderId),
    unhandled: eventFor("com.example.order.created", orderId),
    invalid: eventFor("com.example.payment.completed", orderId, { data: { items: [{ productId: "sku-1", quantity: 0 }] } }),
    invalidField: "data.items.0.quantity",
  });

  test.each(cases)("$name → $status, nothing applied", async ({ request, status, field }) => {
    const response = await app.request(request());
    expect(response.status).toBe(status);
    const problem = await problemOf(response);
    expect(problem.status).toBe(status);
    if (field) expect(problem.errors?.map((issue) => issue.field)).toContain(field);
    // A valid payment.failed in the batch would have cancelled the order: it did not run.
    const order = await view(orderId);
    expect(order.status).toBe("pending");
    expect(order.timeline).toEqual([]);
    expect(await cancellationsOf(orderId)).toHaveLength(0);
  });
});
