import { describe, expect, test } from "bun:test";
import { createFixedClock, createSequentialIds } from "../../lib/clock/index.ts";
import type { EventType } from "../../lib/events/index.ts";
import { createMemoryLogger } from "../../lib/log/index.ts";
import { fromKafkaRecord, toKafkaRecord, type ValidCloudEvent } from "../../lib/cloudevents/index.ts";
import {
  answerOf,
  bearerFor,
  deliver,
  emittedEvents,
  eventFor,
  orderBody,
  problemFields,
  shortType,
  testWorld,
  type WebhookCase,
  webhookContract,
  type WebhookFixture,
  type WebhookWorld,
  worldOf,
} from "../../lib/testing/index.ts";
import { createApp } from "./app.ts";
import { outbox } from "./store/schema.ts";

type OrderView = { status: string; reason?: string; timeline: Array<{ id: string; type: string; time: string }> };

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

/** Payment gave up: the order waits for a person, with the reason, and is not cancelled. */
const escalated: WebhookCase<WebhookWorld> = {
  name: "payment.escalated → needs_attention (charge_unresolved)",
  event: (orderId, id) => eventFor("com.example.payment.escalated", orderId, { id }),
  effects: async (world, orderId) => (await view(world, orderId)).timeline.filter((entry) => entry.type === "com.example.payment.escalated").length,
  async check(world, orderId) {
    const order = await view(world, orderId);
    expect([order.status, order.reason]).toEqual(["needs_attention", "charge_unresolved"]);
    expect(await cancellationsOf(world, orderId)).toEqual([]);
  },
};

const fixture: WebhookFixture<WebhookWorld> = {
  service: "order",
  // Every case places orders as u-1 on a clock that never moves: no rate limit here.
  build: (database) => worldOf(createApp, { db: database.db, clock: createFixedClock(), ids: createSequentialIds("ord"), ordersPerMinute: 0, log: createMemoryLogger() }),
  newOrder: placeOrder,
  cases: [
    moves("com.example.payment.completed", "paid"),
    paymentFailed,
    moves("com.example.payment.refunded", "cancelled", "out_of_stock"),
    escalated,
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

test("one id from two sources is two events, both on the timeline; the same source and id again is a duplicate", async () => {
  const orderId = await placeOrder(world());
  const paid = eventFor("com.example.payment.completed", orderId, { id: `${orderId}-shared` });
  const reserved = eventFor("com.example.stock.reserved", orderId, { id: `${orderId}-shared` });
  expect(await answerOf(await deliver(world().withoutFastPath(), "order", paid))).toBe("processed");
  expect(await answerOf(await deliver(world().withoutFastPath(), "order", reserved))).toBe("processed");
  expect(await answerOf(await deliver(world().withoutFastPath(), "order", reserved))).toBe("duplicate");
  const shared = (await view(world(), orderId)).timeline.filter((entry) => entry.id === `${orderId}-shared`);
  expect(shared.map((entry) => entry.type).sort()).toEqual(["com.example.payment.completed", "com.example.stock.reserved"]);
});

describe("every time the envelope accepts is stored or refused with 422, never a 500", () => {
  const paidAt = async (time: string) => {
    const orderId = await placeOrder(world());
    const event = { ...eventFor("com.example.payment.completed", orderId), time } as ValidCloudEvent;
    return { orderId, response: await deliver(world().app, "order", event) };
  };

  test.each([
    ["2016-12-31T23:59:60Z", "2016-12-31T23:59:59.999Z"],
    ["2016-12-31T15:59:60.5-08:00", "2016-12-31T23:59:59.999Z"],
    ["2016-12-31t23:59:59z", "2016-12-31T23:59:59.000Z"],
    ["0100-01-01T00:00:00Z", "0100-01-01T00:00:00.000Z"],
    ["9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"],
  ])("%s is applied; the timeline stores %s", async (time, stored) => {
    const { orderId, response } = await paidAt(time);
    expect(await answerOf(response)).toBe("processed");
    const entry = (await view(world(), orderId)).timeline.find((each) => each.type === "com.example.payment.completed");
    expect(entry?.time).toBe(stored);
  });

  test.each(["9999-12-31T23:59:59-23:59", "0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "0100-01-01T00:00:00+00:01"])(
    "%s, outside the years 0100–9999 in UTC, is 422 naming time, nothing applied",
    async (time) => {
      const { orderId, response } = await paidAt(time);
      expect(await problemFields(response, 422)).toEqual(["time"]);
      expect((await view(world(), orderId)).status).toBe("pending");
    },
  );
});

describe("a JSON datacontenttype is JSON however a producer spells it (RFC 9110 8.3.1)", () => {
  const paidAs = async (datacontenttype: string, read: (event: ValidCloudEvent) => ValidCloudEvent = (event) => event) => {
    const orderId = await placeOrder(world());
    const event = read({ ...eventFor("com.example.payment.completed", orderId), datacontenttype } as ValidCloudEvent);
    return { orderId, response: await deliver(world().app, "order", event) };
  };

  test.each(["application/json; charset=utf-8", "Application/JSON", 'application/json ; charset="UTF-8"', "application/vnd.shop+json"])("%s is applied", async (type) => {
    expect(await answerOf((await paidAs(type)).response)).toBe("processed");
  });

  test("a binary Kafka record in application/json; charset=utf-8 (the JS SDK's default) is applied", async () => {
    const throughKafka = (event: ValidCloudEvent) => fromKafkaRecord(toKafkaRecord("payment-events", "k", event));
    const { orderId, response } = await paidAs("application/json; charset=utf-8", throughKafka);
    expect(await answerOf(response)).toBe("processed");
    expect((await view(world(), orderId)).status).toBe("paid");
  });

  test.each(["application/json; charset=iso-8859-1", "text/plain", "application/xml"])("%s is 422 naming datacontenttype", async (type) => {
    expect(await problemFields((await paidAs(type)).response, 422)).toEqual(["datacontenttype"]);
  });
});
