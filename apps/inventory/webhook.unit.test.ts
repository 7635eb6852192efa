import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
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
} from "../../lib/testing/events.ts";
import { createApp } from "./app.ts";
import { reservations, outbox } from "./store/schema.ts";

let database: Database;
let app: ReturnType<typeof createApp>;
const ids = createSequentialIds("inv");
const clock = createFixedClock();
const withoutFastPath = () => createApp({ db: database.db, idempotency: createForgetfulIdempotencyStore(), clock, ids });

beforeAll(async () => {
  database = await createTestDatabase();
  app = createApp({ db: database.db, idempotency: createMemoryIdempotencyStore(), clock, ids });
}, 60_000);
afterAll(async () => database?.close());

type Item = { productId: string; quantity: number };
const paid = (orderId: string, items: Item[], id?: string) => eventFor("com.example.payment.completed", orderId, { id, data: { items } });

async function putStock(productId: string, available: number): Promise<Response> {
  return app.request(`/inventory/${productId}`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ available }) });
}
async function stock(productId: string): Promise<{ available: number; reserved: number }> {
  const response = await app.request(`/inventory/${productId}`);
  expect(response.status).toBe(200);
  return (await response.json()) as { available: number; reserved: number };
}
const reservationsOf = (orderId: string) => database.db.select().from(reservations).where(eq(reservations.orderId, orderId));
const emitted = (orderId: string, type: EventType) => emittedEvents(database.db, outbox, orderId, type);

async function expectReservedOnce(orderId: string, productId: string, quantity: number) {
  expect((await stock(productId)).reserved).toBe(quantity);
  const [reservation, ...more] = await reservationsOf(orderId);
  expect(more).toEqual([]);
  expect(reservation?.items).toEqual([{ productId, quantity, warehouseId: "tokyo-1" }]);
  const reserved = await emitted(orderId, "com.example.stock.reserved");
  expect(reserved.map((row) => row.event.data)).toEqual([expect.objectContaining({ orderId, reservationId: reservation!.id })]);
  expect(await emitted(orderId, "com.example.stock.insufficient")).toHaveLength(0);
}

describe("inventory: payment.completed twice → reserved once", () => {
  test.each(modes)("in a row, %s mode", async (mode) => {
    const [orderId, productId] = [`i-seq-${mode}`, `sku-seq-${mode}`];
    await putStock(productId, 10);
    const event = paid(orderId, [{ productId, quantity: 3 }]);
    expect(await outcomesOf(await deliver(app, "inventory", event, mode))).toEqual(["processed"]);
    expect(await outcomesOf(await deliver(app, "inventory", event, mode))).toEqual(["duplicate"]);
    await expectReservedOnce(orderId, productId, 3);
  });

  test("at once: one reservation; losers 503; the retry is a duplicate", async () => {
    const [orderId, productId] = ["i-concurrent", "sku-concurrent"];
    await putStock(productId, 10);
    const event = paid(orderId, [{ productId, quantity: 2 }]);
    const responses = await deliverConcurrently(app, "inventory", event, 3);
    expect(await tally(responses)).toMatchObject({ processed: 1, other: [] });
    expect(await outcomesOf(await deliver(app, "inventory", event))).toEqual(["duplicate"]);
    await expectReservedOnce(orderId, productId, 2);
  });
});

describe("inventory without the fast path: processed_events decides", () => {
  test("in a row", async () => {
    const [orderId, productId] = ["i-db-seq", "sku-db-seq"];
    await putStock(productId, 10);
    const event = paid(orderId, [{ productId, quantity: 4 }]);
    expect(await outcomesOf(await deliver(withoutFastPath(), "inventory", event))).toEqual(["processed"]);
    expect(await outcomesOf(await deliver(withoutFastPath(), "inventory", event))).toEqual(["duplicate"]);
    await expectReservedOnce(orderId, productId, 4);
  });

  test("three at once: one processed, two duplicates", async () => {
    const [orderId, productId] = ["i-db-concurrent", "sku-db-concurrent"];
    await putStock(productId, 10);
    const event = paid(orderId, [{ productId, quantity: 5 }]);
    const responses = await Promise.all([1, 2, 3].map(() => deliver(withoutFastPath(), "inventory", event)));
    expect(await tally(responses)).toEqual({ processed: 1, duplicate: 2, busy: 0, other: [] });
    await expectReservedOnce(orderId, productId, 5);
  });
});

describe("inventory: a shortage reserves nothing and says so once", () => {
  test("stock.insufficient names what is missing; no reservation, reserved unchanged; twice → once", async () => {
    const [orderId, productId] = ["i-short", "sku-short"];
    await putStock(productId, 1);
    const event = paid(orderId, [{ productId, quantity: 2 }]);
    expect(await outcomesOf(await deliver(app, "inventory", event))).toEqual(["processed"]);
    expect(await outcomesOf(await deliver(withoutFastPath(), "inventory", event))).toEqual(["duplicate"]);
    expect(await stock(productId)).toMatchObject({ available: 1, reserved: 0 });
    expect(await reservationsOf(orderId)).toEqual([]);
    expect(await emitted(orderId, "com.example.stock.reserved")).toEqual([]);
    const insufficient = await emitted(orderId, "com.example.stock.insufficient");
    expect(insufficient.map((row) => row.event.data)).toEqual([
      expect.objectContaining({ orderId, missing: [{ productId, requested: 2, available: 1 }] }),
    ]);
  });

  test("a multi-item order whose second item is short leaves the first item's stock untouched", async () => {
    const orderId = "i-multi";
    await putStock("sku-multi-a", 5);
    await putStock("sku-multi-b", 1);
    await deliver(app, "inventory", paid(orderId, [{ productId: "sku-multi-a", quantity: 2 }, { productId: "sku-multi-b", quantity: 3 }]));
    expect(await stock("sku-multi-a")).toMatchObject({ available: 5, reserved: 0 });
    expect(await stock("sku-multi-b")).toMatchObject({ available: 1, reserved: 0 });
    expect(await reservationsOf(orderId)).toEqual([]);
    const [row] = await emitted(orderId, "com.example.stock.insufficient");
    expect(row?.event.data).toMatchObject({ missing: [{ productId: "sku-multi-b", requested: 3, available: 1 }] });
  });

  test("lines of the same product add up before the check", async () => {
    const [orderId, productId] = ["i-merged", "sku-merged"];
    await putStock(productId, 3);
    await deliver(app, "inventory", paid(orderId, [{ productId, quantity: 2 }, { productId, quantity: 2 }]));
    expect((await stock(productId)).reserved).toBe(0);
    const [row] = await emitted(orderId, "com.example.stock.insufficient");
    expect(row?.event.data).toMatchObject({ missing: [{ productId, requested: 4, available: 3 }] });
  });

  test("an unknown product is missing with nothing available", async () => {
    const orderId = "i-unknown-product";
    await deliver(app, "inventory", paid(orderId, [{ productId: "sku-never-stocked", quantity: 1 }]));
    const [row] = await emitted(orderId, "com.example.stock.insufficient");
    expect(row?.event.data).toMatchObject({ missing: [{ productId: "sku-never-stocked", requested: 1, available: 0 }] });
  });

  test("stock already reserved counts: two orders racing for the last unit, one wins", async () => {
    const productId = "sku-last-unit";
    await putStock(productId, 1);
    await Promise.all(["i-race-1", "i-race-2"].map((orderId) => deliver(withoutFastPath(), "inventory", paid(orderId, [{ productId, quantity: 1 }]))));
    expect(await stock(productId)).toMatchObject({ available: 1, reserved: 1 });
    const reserved = [...(await emitted("i-race-1", "com.example.stock.reserved")), ...(await emitted("i-race-2", "com.example.stock.reserved"))];
    const short = [...(await emitted("i-race-1", "com.example.stock.insufficient")), ...(await emitted("i-race-2", "com.example.stock.insufficient"))];
    expect([reserved.length, short.length]).toEqual([1, 1]);
  });
});

describe("inventory webhook refusals", () => {
  const [orderId, productId] = ["i-refused", "sku-refused"];
  beforeAll(async () => {
    await putStock(productId, 10);
  });
  const cases = rejectionCases("inventory", {
    valid: paid(orderId, [{ productId, quantity: 1 }]),
    unhandled: eventFor("com.example.order.created", orderId),
    invalid: paid(`${orderId}-2`, []),
    invalidField: "data.items",
  });

  test.each(cases)("$name → $status, nothing reserved", async ({ request, status, field }) => {
    const response = await app.request(request());
    expect(response.status).toBe(status);
    const problem = await problemOf(response);
    expect(problem.status).toBe(status);
    if (field) expect(problem.errors?.map((issue) => issue.field)).toContain(field);
    expect((await stock(productId)).reserved).toBe(0);
    expect(await reservationsOf(orderId)).toEqual([]);
  });
});

describe("PUT/GET /inventory/:productId", () => {
  test("PUT sets what is on hand; GET reads it", async () => {
    const response = await putStock("sku-api", 7);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ productId: "sku-api", available: 7, reserved: 0 });
    expect(await stock("sku-api")).toMatchObject({ available: 7, reserved: 0 });
  });

  test("PUT below what is reserved → 409 naming available, stock unchanged", async () => {
    const productId = "sku-api-reserved";
    await putStock(productId, 5);
    await deliver(app, "inventory", paid("i-api-reserved", [{ productId, quantity: 4 }]));
    const response = await putStock(productId, 3);
    expect(response.status).toBe(409);
    const problem = await problemOf(response);
    expect(problem.code).toBe("inventory.below_reserved");
    expect(problem.errors?.map((issue) => issue.field)).toEqual(["available"]);
    expect(await stock(productId)).toMatchObject({ available: 5, reserved: 4 });
    expect((await putStock(productId, 4)).status).toBe(200);
  });

  test.each([
    ["a negative number", { available: -1 }],
    ["a fraction", { available: 1.5 }],
    ["a string", { available: "7" }],
    ["nothing", {}],
  ])("PUT with %s → 400 naming available", async (_name, body) => {
    const response = await app.request("/inventory/sku-api-invalid", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors?.map((issue) => issue.field)).toContain("available");
    expect((await app.request("/inventory/sku-api-invalid")).status).toBe(404);
  });

  test("GET an unknown product → 404 problem", async () => {
    const response = await app.request("/inventory/sku-nowhere");
    expect(response.status).toBe(404);
    expect((await problemOf(response)).code).toBe("inventory.not_found");
  });
});

test("a product id longer than 100 characters is a 400 naming productId, and stores nothing", async () => {
  const long = "p".repeat(101);
  const response = await putStock(long, 1);
  expect(response.status).toBe(400);
  expect(((await response.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual(["productId"]);
  expect((await app.request(`/inventory/${long}`)).status).toBe(404);
});
