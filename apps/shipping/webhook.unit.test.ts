import { expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { toBatchRequest } from "../../lib/cloudevents/index.ts";
import { createFixedClock, createSequentialIds } from "../../lib/clock/index.ts";
import { createMemoryLogger } from "../../lib/log/index.ts";
import { answerOf, bearerFor, deliver, emittedEvents, eventFor, outcomesOf, problemFields, problemOf, testAddress, testWorld, webhookContract, type WebhookFixture, webhookUrl, type WebhookWorld, worldOf, signedForTest } from "../../lib/testing/index.ts";
import { createApp } from "./app.ts";
import { outbox, refusals, shipments } from "./store/schema.ts";

const clock = createFixedClock();

const reserved = (orderId: string, id?: string) => eventFor("com.example.stock.reserved", orderId, { id });
const shipmentsOf = (world: WebhookWorld, orderId: string) => world.db.select().from(shipments).where(eq(shipments.orderId, orderId));

/** The shipment carries the reservation and the address; shipment.created names it, once. */
async function expectShipment(world: WebhookWorld, orderId: string) {
  const [shipment] = await shipmentsOf(world, orderId);
  expect(shipment).toMatchObject({ orderId, reservationId: `res-${orderId}`, carrier: "yamato", shippingAddress: testAddress });
  expect(shipment!.trackingNumber).toMatch(/^\d{12}$/);
  const events = await emittedEvents(world.db, outbox, orderId, "com.example.shipment.created");
  expect(events.map((row) => row.event.data)).toEqual([
    expect.objectContaining({ orderId, shipmentId: shipment!.id, trackingNumber: shipment!.trackingNumber }),
  ]);
}

const shipment = {
  name: "stock.reserved → one shipment",
  event: reserved,
  effects: async (world: WebhookWorld, orderId: string) => (await shipmentsOf(world, orderId)).length,
  check: expectShipment,
  // Keyed by event id; one shipment per order (unique order_id) makes another id a duplicate.
  sameOrder: "duplicate" as const,
};

const refusalsOf = (world: WebhookWorld, orderId: string) => world.db.select().from(refusals).where(eq(refusals.orderId, orderId));
const refusedEvents = (world: WebhookWorld, orderId: string) => emittedEvents(world.db, outbox, orderId, "com.example.shipment.refused");

/** Inventory asks about a reservation nobody shipped: refused once, with one shipment.refused. */
const expiry = {
  name: "stock.expired → refused once",
  event: (orderId: string, id?: string) => eventFor("com.example.stock.expired", orderId, { id }),
  effects: async (world: WebhookWorld, orderId: string) => (await refusedEvents(world, orderId)).length,
  async check(world: WebhookWorld, orderId: string) {
    expect(await refusalsOf(world, orderId)).toEqual([expect.objectContaining({ orderId, reservationId: `res-${orderId}`, reason: "reservation_expired" })]);
    expect(await shipmentsOf(world, orderId)).toEqual([]);
  },
  sameOrder: "duplicate" as const,
};

const fixture: WebhookFixture<WebhookWorld> = {
  service: "shipping",
  build: (database) => worldOf(createApp, { db: database.db, clock, ids: createSequentialIds("shp"), log: createMemoryLogger() }),
  cases: [shipment, expiry],
  refusals: {
    valid: shipment,
    unhandled: "com.example.payment.completed",
    invalid: (orderId) => eventFor("com.example.stock.reserved", orderId, { data: { expiresAt: "tomorrow" } }),
    invalidField: "data.expiresAt",
  },
};

webhookContract(fixture);
const world = testWorld(fixture);

test("a batch of two orders ships both, and its redelivery ships nothing more", async () => {
  const batch = () => toBatchRequest(webhookUrl("shipping"), [reserved("s-batch-1"), reserved("s-batch-2")]);
  expect(await outcomesOf(await world().app.request(await signedForTest(batch())))).toEqual(["processed", "processed"]);
  expect(await outcomesOf(await world().withoutFastPath().request(await signedForTest(batch())))).toEqual(["duplicate", "duplicate"]);
  await expectShipment(world(), "s-batch-1");
  await expectShipment(world(), "s-batch-2");
});

test("an expired reservation is not shipped but refused, for good: inventory gives the stock back and the order is refunded instead", async () => {
  const orderId = "s-expired";
  const late = eventFor("com.example.stock.reserved", orderId, { data: { expiresAt: new Date(clock.now().getTime() - 1).toISOString() } });
  expect(await answerOf(await deliver(world().app, "shipping", late))).toBe("processed");
  expect(await shipmentsOf(world(), orderId)).toEqual([]);
  expect(await emittedEvents(world().db, outbox, orderId, "com.example.shipment.created")).toEqual([]);
  const [refusal, ...more] = await refusedEvents(world(), orderId);
  expect(more).toEqual([]);
  expect(refusal!.event).toMatchObject({ causationid: late.id, data: { orderId, reason: "reservation_expired" } });
  // The inventory's question that follows finds the order decided.
  expect(await answerOf(await deliver(world().app, "shipping", eventFor("com.example.stock.expired", orderId)))).toBe("duplicate");
  expect(await refusedEvents(world(), orderId)).toHaveLength(1);
});

test("shipped first, then asked about: stays shipped, nothing refused", async () => {
  const orderId = "s-shipped-then-asked";
  await deliver(world().app, "shipping", reserved(orderId));
  expect(await answerOf(await deliver(world().app, "shipping", eventFor("com.example.stock.expired", orderId)))).toBe("duplicate");
  await expectShipment(world(), orderId);
  expect(await refusalsOf(world(), orderId)).toEqual([]);
});

test("the reservation and the expiry racing, without the fast path: shipped or refused, never both", async () => {
  for (const orderId of ["s-race-1", "s-race-2", "s-race-3"]) {
    await Promise.all([
      deliver(world().withoutFastPath(), "shipping", reserved(orderId)),
      deliver(world().withoutFastPath(), "shipping", eventFor("com.example.stock.expired", orderId)),
    ]);
    const decided = (await shipmentsOf(world(), orderId)).length + (await refusalsOf(world(), orderId)).length;
    expect(decided).toBe(1);
    const events = (await emittedEvents(world().db, outbox, orderId, "com.example.shipment.created")).length + (await refusedEvents(world(), orderId)).length;
    expect(events).toBe(1);
  }
});

const as = async (...caller: Parameters<typeof bearerFor>) => ({ headers: { authorization: await bearerFor(...caller) } });

test("GET /shipments lists the order's shipment to its customer and staff, and without an orderId is a 400 naming it", async () => {
  await deliver(world().app, "shipping", reserved("s-list"));
  for (const caller of [await as("user-of-s-list"), await as("staff-1", "staff")]) {
    const listed = (await (await world().app.request("/shipments?orderId=s-list", caller)).json()) as { shipments: Array<{ orderId: string }> };
    expect(listed.shipments).toEqual([expect.objectContaining({ orderId: "s-list", userId: "user-of-s-list", shippingAddress: testAddress })]);
  }
  for (const path of ["/shipments", "/shipments?orderId="]) expect(await problemFields(await world().app.request(path, await as("u-1")), 400)).toContain("orderId");
});

test("another customer never sees the shipment (nor its address): the 404 of an order not shipped; no token is 401", async () => {
  await deliver(world().app, "shipping", reserved("s-private"));
  const stranger = await world().app.request("/shipments?orderId=s-private", await as("u-stranger"));
  const notShipped = await world().app.request("/shipments?orderId=s-nothing", await as("user-of-s-nothing"));
  for (const response of [stranger, notShipped]) expect((await problemOf(response)).code).toBe("shipment.not_found");
  expect([stranger.status, notShipped.status]).toEqual([404, 404]);
  expect((await world().app.request("/shipments?orderId=s-private")).status).toBe(401);
});
