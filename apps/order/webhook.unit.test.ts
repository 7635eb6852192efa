import { expect, test } from "bun:test";
import { createFixedClock, createSequentialIds } from "../../lib/clock/index.ts";
import type { EventType } from "../../lib/events/index.ts";
import { createMemoryLogger } from "../../lib/log/index.ts";
import { answerOf, bearerFor, deliver, emittedEvents, eventFor, orderBody, shortType, testWorld, type WebhookCase, webhookContract, type WebhookFixture, type WebhookWorld, worldOf } from "../../lib/testing/index.ts";
import { createApp } from "./app.ts";
import { outbox } from "./store/schema.ts";

type OrderView = { status: string; reason?: string; timeline: Array<{ id: string; type: string }> };

async function placeOrder(world: WebhookWorld): Promise<string> {
  const json = { "content-type": "application/json" };
  const price = JSON.stringify({ name: "sku one", unitPrice: 1500, currency: "JPY" });
  await world.app.request("/products/sku-1", { method: "PUT", headers: { ...json, authorization: await bearerFor("staff-1", "staff") }, body: price });
  const response = await world.app.request("/orders", {
    method: "POST",
    headers: { ...json, authorization: await bearerFor("u-1") },
    body: JSON.stringify(orderBody([{ productId: "sku-1", quantity: 2, unitPrice: 1500 }])),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { orderId: string }).orderId;
}

async function view(world: WebhookWorld, orderId: string): Promise<OrderView> {
  const response = await world.app.request(`/orders/${orderId}`, { headers: { authorization: await bearerFor("u-1") } });
  expect(response.status).toBe(200);
  return (await response.json()) as OrderView;
}

const cancellationsOf = (world: WebhookWorld, orderId: string) => emittedEvents(world.db, outbox, orderId, "com.example.order.cancelled");

/**
 * Each followed event and what it does to a pending order. The effect counted is the cancellation
 * where there is one (the only effect that could happen twice), else the timeline entry.
 */
function moves(type: EventType, status: string, reason?: string): WebhookCase<WebhookWorld> {
  const entries = async (world: WebhookWorld, orderId: string) => (await view(world, orderId)).timeline.filter((entry) => entry.type === type);
  return {
    name: `${shortType(type)} → ${status}${reason ? ` (${reason})` : ""}`,
    event: (orderId, id) => eventFor(type, orderId, { id }),
    effects: async (world, orderId) => (reason ? (await cancellationsOf(world, orderId)).length : (await entries(world, orderId)).length),
    async check(world, orderId) {
      const order = await view(world, orderId);
      expect([order.status, order.reason]).toEqual([status, reason]);
      const causes = (await entries(world, orderId)).map((entry) => entry.id);
      for (const { event } of await cancellationsOf(world, orderId)) {
        expect(event).toMatchObject({ correlationid: orderId, data: { orderId, reason } });
        expect(causes).toContain(String(event.causationid));
      }
    },
    // Keyed by event id: another id is recorded too, but a cancelled order never changes again.
    ...(reason ? { sameOrder: "processed" as const } : {}),
  };
}

const paymentFailed = moves("com.example.payment.failed", "cancelled", "payment_failed");

const fixture: WebhookFixture<WebhookWorld> = {
  service: "order",
  // Every case places orders as u-1 on a clock that never moves: no rate limit here.
  build: (database) => worldOf(createApp, { db: database.db, clock: createFixedClock(), ids: createSequentialIds("ord"), ordersPerMinute: 0, log: createMemoryLogger() }),
  newOrder: placeOrder,
  cases: [
    moves("com.example.payment.completed", "paid"),
    paymentFailed,
    moves("com.example.payment.refunded", "cancelled", "out_of_stock"),
    moves("com.example.stock.reserved", "reserved"),
    moves("com.example.stock.insufficient", "pending"),
    moves("com.example.stock.released", "pending"),
    moves("com.example.shipment.created", "shipped"),
  ],
  refusals: {
    valid: paymentFailed,
    unhandled: "com.example.order.created",
    invalid: (orderId) => eventFor("com.example.payment.completed", orderId, { data: { items: [{ productId: "sku-1", quantity: 0 }] } }),
    invalidField: "data.items.0.quantity",
  },
};

webhookContract(fixture);
const world = testWorld(fixture);

test("a late event never moves an order backwards and is still recorded once", async () => {
  const orderId = await placeOrder(world());
  await deliver(world().app, "order", eventFor("com.example.shipment.created", orderId));
  const late = eventFor("com.example.payment.completed", orderId);
  expect(await answerOf(await deliver(world().app, "order", late))).toBe("processed");
  expect(await answerOf(await deliver(world().app, "order", late))).toBe("duplicate");
  const order = await view(world(), orderId);
  expect(order.status).toBe("shipped");
  expect(order.timeline.map((entry) => entry.type).sort()).toEqual([
    "com.example.order.created",
    "com.example.payment.completed",
    "com.example.shipment.created",
  ]);
});

test("a failed payment and a refund racing, without the fast path, cancel once with one order.cancelled", async () => {
  const orderId = await placeOrder(world());
  await Promise.all([
    deliver(world().withoutFastPath(), "order", eventFor("com.example.payment.failed", orderId)),
    deliver(world().withoutFastPath(), "order", eventFor("com.example.payment.refunded", orderId)),
  ]);
  expect((await view(world(), orderId)).status).toBe("cancelled");
  expect(await cancellationsOf(world(), orderId)).toHaveLength(1);
});
