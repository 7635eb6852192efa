import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { createFixedClock, createSequentialIds } from "../../lib/clock/index.ts";
import type { EventType } from "../../lib/events/index.ts";
import { createMemoryLogger } from "../../lib/log/index.ts";
import { bearerFor, deliver, emittedEvents, eventFor, problemFields, problemOf, testWorld, type WebhookCase, webhookContract, type WebhookFixture, type WebhookWorld, worldOf } from "../../lib/testing/index.ts";
import { createApp } from "./app.ts";
import { outbox, reservations } from "./store/schema.ts";

type Item = { productId: string; quantity: number };

const paid = (orderId: string, items: Item[], id?: string) => eventFor("com.example.payment.completed", orderId, { id, data: { items } });
/** PUT /inventory as staff, or as `as` (a customer) to see it refused. */
const put = async (world: WebhookWorld, productId: string, body: unknown, as: Parameters<typeof bearerFor> = ["staff-1", "staff"]) =>
  world.app.request(`/inventory/${productId}`, {
    method: "PUT",
    headers: { "content-type": "application/json", authorization: await bearerFor(...as) },
    body: JSON.stringify(body),
  });
const putStock = (world: WebhookWorld, productId: string, available: number) => put(world, productId, { available });
async function stock(world: WebhookWorld, productId: string): Promise<{ available: number; reserved: number }> {
  const response = await world.app.request(`/inventory/${productId}`);
  expect(response.status).toBe(200);
  return (await response.json()) as { available: number; reserved: number };
}
const reservationsOf = (world: WebhookWorld, orderId: string) => world.db.select().from(reservations).where(eq(reservations.orderId, orderId));
const emitted = (world: WebhookWorld, orderId: string, type: EventType) => emittedEvents(world.db, outbox, orderId, type);

/** Each order of the contract has a product of its own, stocked with `onHand`, and orders two of it. */
const skuOf = (orderId: string) => `sku-${orderId}`;
const paidTwo = (orderId: string, id?: string) => paid(orderId, [{ productId: skuOf(orderId), quantity: 2 }], id);
const stocked = (onHand: number) => async (world: WebhookWorld, orderId: string) => {
  expect((await putStock(world, skuOf(orderId), onHand)).status).toBe(200);
  return orderId;
};

const reservation: WebhookCase<WebhookWorld> = {
  name: "payment.completed → reserved",
  prepare: stocked(10),
  event: paidTwo,
  effects: async (world, orderId) => (await stock(world, skuOf(orderId))).reserved / 2,
  async check(world, orderId) {
    const [row, ...more] = await reservationsOf(world, orderId);
    expect(more).toEqual([]);
    expect(row?.items).toEqual([{ productId: skuOf(orderId), quantity: 2, warehouseId: "tokyo-1" }]);
    const reserved = await emitted(world, orderId, "com.example.stock.reserved");
    expect(reserved.map((r) => r.event.data)).toEqual([expect.objectContaining({ orderId, reservationId: row!.id })]);
    expect(await emitted(world, orderId, "com.example.stock.insufficient")).toHaveLength(0);
  },
  // Keyed by event id; an order already reserved is not reserved again (one reservation per order).
  sameOrder: "processed",
};

/** Short stock reserves nothing and says so; another event id would report the shortage again. */
const shortage: WebhookCase<WebhookWorld> = {
  name: "payment.completed with too little stock → stock.insufficient",
  prepare: stocked(1),
  event: paidTwo,
  effects: async (world, orderId) => (await emitted(world, orderId, "com.example.stock.insufficient")).length,
  async check(world, orderId) {
    const productId = skuOf(orderId);
    expect(await stock(world, productId)).toMatchObject({ available: 1, reserved: 0 });
    expect(await reservationsOf(world, orderId)).toEqual([]);
    expect(await emitted(world, orderId, "com.example.stock.reserved")).toEqual([]);
    const [row] = await emitted(world, orderId, "com.example.stock.insufficient");
    expect(row?.event.data).toMatchObject({ orderId, missing: [{ productId, requested: 2, available: 1 }] });
  },
};

/** The reserved units leave: `available` and `reserved` both drop by two, once. */
const shipment: WebhookCase<WebhookWorld> = {
  name: "shipment.created → the reserved stock leaves",
  async prepare(world, label) {
    await stocked(10)(world, label);
    await deliver(world.app, "inventory", paidTwo(label));
    return label;
  },
  event: (orderId, id) => eventFor("com.example.shipment.created", orderId, { id }),
  effects: async (world, orderId) => (10 - (await stock(world, skuOf(orderId))).available) / 2,
  async check(world, orderId) {
    expect((await stock(world, skuOf(orderId))).reserved).toBe(0);
    expect((await reservationsOf(world, orderId)).map((row) => row.status)).toEqual(["shipped"]);
  },
  // A shipped reservation stays shipped: another event id is recorded and changes nothing.
  sameOrder: "processed",
};

/** Shipping refused the reservation: its two units go back, once, with one stock.released. */
const refusal: WebhookCase<WebhookWorld> = {
  name: "shipment.refused → the reserved stock goes back",
  async prepare(world, label) {
    await stocked(10)(world, label);
    await deliver(world.app, "inventory", paidTwo(label));
    return label;
  },
  event: (orderId, id) => eventFor("com.example.shipment.refused", orderId, { id }),
  effects: async (world, orderId) => (await emitted(world, orderId, "com.example.stock.released")).length,
  async check(world, orderId) {
    expect(await stock(world, skuOf(orderId))).toMatchObject({ available: 10, reserved: 0 });
    expect((await reservationsOf(world, orderId)).map((row) => row.status)).toEqual(["expired"]);
  },
  // Keyed by event id; a released reservation is not released again.
  sameOrder: "processed",
};

const fixture: WebhookFixture<WebhookWorld> = {
  service: "inventory",
  build: (database) => worldOf(createApp, { db: database.db, clock: createFixedClock(), ids: createSequentialIds("inv"), log: createMemoryLogger() }),
  cases: [reservation, shortage, shipment, refusal],
  refusals: {
    valid: reservation,
    unhandled: "com.example.order.created",
    invalid: (orderId) => paid(orderId, []),
    invalidField: "data.items",
  },
};

webhookContract(fixture);
const world = testWorld(fixture);

const shortageOf = async (orderId: string) => (await emitted(world(), orderId, "com.example.stock.insufficient"))[0]?.event.data;

describe("inventory: what a shortage names", () => {
  test("a multi-item order whose second item is short leaves the first item's stock untouched", async () => {
    const orderId = "i-multi";
    await putStock(world(), "sku-multi-a", 5);
    await putStock(world(), "sku-multi-b", 1);
    await deliver(world().app, "inventory", paid(orderId, [{ productId: "sku-multi-a", quantity: 2 }, { productId: "sku-multi-b", quantity: 3 }]));
    expect(await stock(world(), "sku-multi-a")).toMatchObject({ available: 5, reserved: 0 });
    expect(await stock(world(), "sku-multi-b")).toMatchObject({ available: 1, reserved: 0 });
    expect(await reservationsOf(world(), orderId)).toEqual([]);
    expect(await shortageOf(orderId)).toMatchObject({ missing: [{ productId: "sku-multi-b", requested: 3, available: 1 }] });
  });

  test("lines of the same product add up before the check", async () => {
    const [orderId, productId] = ["i-merged", "sku-merged"];
    await putStock(world(), productId, 3);
    await deliver(world().app, "inventory", paid(orderId, [{ productId, quantity: 2 }, { productId, quantity: 2 }]));
    expect((await stock(world(), productId)).reserved).toBe(0);
    expect(await shortageOf(orderId)).toMatchObject({ missing: [{ productId, requested: 4, available: 3 }] });
  });

  test("an unknown product is missing with nothing available", async () => {
    const orderId = "i-unknown-product";
    await deliver(world().app, "inventory", paid(orderId, [{ productId: "sku-never-stocked", quantity: 1 }]));
    expect(await shortageOf(orderId)).toMatchObject({ missing: [{ productId: "sku-never-stocked", requested: 1, available: 0 }] });
  });

  test("stock already reserved counts: two orders racing for the last unit, one wins", async () => {
    const productId = "sku-last-unit";
    await putStock(world(), productId, 1);
    const orders = ["i-race-1", "i-race-2"];
    await Promise.all(orders.map((orderId) => deliver(world().withoutFastPath(), "inventory", paid(orderId, [{ productId, quantity: 1 }]))));
    expect(await stock(world(), productId)).toMatchObject({ available: 1, reserved: 1 });
    const count = async (type: EventType) => (await Promise.all(orders.map((orderId) => emitted(world(), orderId, type)))).flat().length;
    expect([await count("com.example.stock.reserved"), await count("com.example.stock.insufficient")]).toEqual([1, 1]);
  });
});

describe("PUT/GET /inventory/:productId", () => {
  test("PUT sets what is on hand; GET reads it", async () => {
    const response = await putStock(world(), "sku-api", 7);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ productId: "sku-api", available: 7, reserved: 0 });
    expect(await stock(world(), "sku-api")).toMatchObject({ available: 7, reserved: 0 });
  });

  test("PUT below what is reserved → 409 naming available, stock unchanged", async () => {
    const productId = "sku-api-reserved";
    await putStock(world(), productId, 5);
    await deliver(world().app, "inventory", paid("i-api-reserved", [{ productId, quantity: 4 }]));
    const response = await putStock(world(), productId, 3);
    expect((await problemOf(response.clone())).code).toBe("inventory.below_reserved");
    expect(await problemFields(response, 409)).toEqual(["available"]);
    expect(await stock(world(), productId)).toMatchObject({ available: 5, reserved: 4 });
    expect((await putStock(world(), productId, 4)).status).toBe(200);
  });

  test.each([
    ["a negative number", { available: -1 }],
    ["a fraction", { available: 1.5 }],
    ["a string", { available: "7" }],
    ["nothing", {}],
  ])("PUT with %s → 400 naming available", async (_name, body) => {
    expect(await problemFields(await put(world(), "sku-api-invalid", body), 400)).toContain("available");
    expect((await world().app.request("/inventory/sku-api-invalid")).status).toBe(404);
  });

  test("a customer setting stock → 403, without a token → 401; the stock is unchanged", async () => {
    await putStock(world(), "sku-api-guarded", 5);
    const customer = await put(world(), "sku-api-guarded", { available: 0 }, ["u-1"]);
    expect(customer.status).toBe(403);
    expect((await problemOf(customer)).code).toBe("auth.forbidden");
    const anonymous = await world().app.request("/inventory/sku-api-guarded", { method: "PUT", headers: { "content-type": "application/json" }, body: '{"available":0}' });
    expect(anonymous.status).toBe(401);
    expect(await stock(world(), "sku-api-guarded")).toMatchObject({ available: 5, reserved: 0 });
  });

  test("GET an unknown product → 404 problem", async () => {
    const response = await world().app.request("/inventory/sku-nowhere");
    expect(response.status).toBe(404);
    expect((await problemOf(response)).code).toBe("inventory.not_found");
  });

  test("a product id longer than 100 characters is a 400 naming productId, and stores nothing", async () => {
    const long = "p".repeat(101);
    expect(await problemFields(await putStock(world(), long, 1), 400)).toEqual(["productId"]);
    expect((await world().app.request(`/inventory/${long}`)).status).toBe(404);
  });
});
