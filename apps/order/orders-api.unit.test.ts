import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import { createFixedClock, createSequentialIds } from "../../lib/clock/index.ts";
import type { Database } from "../../lib/db/index.ts";
import { createMemoryIdempotencyStore } from "../../lib/idempotency/index.ts";
import { createTestDatabase, emittedEvents, problemOf, testAddress, testSecurity } from "../../lib/testing/index.ts";
import { createApp } from "./app.ts";
import { orders, outbox } from "./store/schema.ts";

let database: Database;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  database = await createTestDatabase();
  app = createApp({ db: database.db, idempotency: createMemoryIdempotencyStore(), security: testSecurity, clock: createFixedClock(), ids: createSequentialIds("api") });
}, 60_000);
afterAll(async () => database?.close());

const body = {
  userId: "user-1",
  items: [
    { productId: "sku-1", quantity: 2, unitPrice: 1500 },
    { productId: "sku-2", quantity: 1, unitPrice: 800 },
  ],
  currency: "JPY",
  shippingAddress: testAddress,
  payment: { method: "credit_card", token: "tok_visa" },
};

async function post(payload: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return await app.request("/orders", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof payload === "string" ? payload : JSON.stringify(payload),
  });
}

const createdEventsOf = (orderId: string) => emittedEvents(database.db, outbox, orderId, "com.example.order.created");

describe("POST /orders", () => {
  test("202 with Location; the order is pending and order.created is in the outbox", async () => {
    const response = await post(body);
    expect(response.status).toBe(202);
    const { orderId, status } = (await response.json()) as { orderId: string; status: string };
    expect(status).toBe("pending");
    expect(response.headers.get("location")).toBe(`/orders/${orderId}`);

    const order = (await (await app.request(`/orders/${orderId}`)).json()) as Record<string, unknown>;
    expect(order).toMatchObject({ orderId, status: "pending", totalAmount: 3800, currency: "JPY", items: body.items });
    expect(order.timeline).toEqual([expect.objectContaining({ type: "com.example.order.created" })]);

    const [row, ...more] = await createdEventsOf(orderId);
    expect(more).toEqual([]);
    expect(row?.topic).toBe("order-events");
    expect(row?.event).toMatchObject({ type: "com.example.order.created", correlationid: orderId, data: { orderId, totalAmount: 3800 } });
  });

  const invalid: Array<{ name: string; payload: unknown; fields: string[] }> = [
    {
      name: "a zero quantity and a bad postal code",
      payload: { ...body, items: [{ productId: "sku-1", quantity: 0, unitPrice: 1500 }], shippingAddress: { ...testAddress, postalCode: "1" } },
      fields: ["items.0.quantity", "shippingAddress.postalCode"],
    },
    { name: "no items", payload: { ...body, items: [] }, fields: ["items"] },
    { name: "a lower-case currency and an unknown method", payload: { ...body, currency: "jpy", payment: { method: "cash" } }, fields: ["currency", "payment.method"] },
    { name: "a missing userId", payload: { ...body, userId: undefined }, fields: ["userId"] },
  ];

  test.each(invalid)("$name → 400 naming $fields", async ({ payload, fields }) => {
    const before = await database.db.$count(orders);
    const response = await post(payload);
    expect(response.status).toBe(400);
    const problem = await problemOf(response);
    expect(problem.code).toBe("request.invalid");
    expect(problem.errors?.map((issue) => issue.field)).toEqual(expect.arrayContaining(fields));
    expect(await database.db.$count(orders)).toBe(before);
  });

  test("a body that is not JSON → 400 problem", async () => {
    const response = await post("{not json");
    expect(response.status).toBe(400);
    expect((await problemOf(response)).status).toBe(400);
  });
});

describe("POST /orders with an Idempotency-Key", () => {
  test("a retry returns the same order: one row, one order.created", async () => {
    const key = { "idempotency-key": "checkout-retry" };
    const first = await post(body, key);
    const second = await post(body, key);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    const { orderId } = (await first.json()) as { orderId: string };
    expect(((await second.json()) as { orderId: string }).orderId).toBe(orderId);
    expect(second.headers.get("location")).toBe(`/orders/${orderId}`);
    expect(await database.db.$count(orders, eq(orders.idempotencyKey, "checkout-retry"))).toBe(1);
    expect(await createdEventsOf(orderId)).toHaveLength(1);
  });

  test("a retry whose JSON lists the fields in another order is the same request", async () => {
    const key = { "idempotency-key": "checkout-reordered" };
    const first = (await (await post(body, key)).json()) as { orderId: string };
    const { payment, shippingAddress, currency, items, userId } = body;
    const reordered = await post({ payment, shippingAddress: { ...shippingAddress }, currency, items, userId }, key);
    expect(reordered.status).toBe(202);
    expect(((await reordered.json()) as { orderId: string }).orderId).toBe(first.orderId);
  });

  test("concurrent POSTs with one key create one order", async () => {
    const key = { "idempotency-key": "checkout-race" };
    const responses = await Promise.all([1, 2, 3].map(() => post(body, key)));
    const orderIds = await Promise.all(responses.map(async (response) => {
      expect(response.status).toBe(202);
      return ((await response.json()) as { orderId: string }).orderId;
    }));
    expect(new Set(orderIds).size).toBe(1);
    expect(await database.db.$count(orders, eq(orders.idempotencyKey, "checkout-race"))).toBe(1);
    expect(await createdEventsOf(orderIds[0]!)).toHaveLength(1);
  });

  test("the same key with another body → 422 naming Idempotency-Key, nothing created", async () => {
    const key = { "idempotency-key": "checkout-misuse" };
    expect((await post(body, key)).status).toBe(202);
    const response = await post({ ...body, userId: "someone-else" }, key);
    expect(response.status).toBe(422);
    const problem = await problemOf(response);
    expect(problem.code).toBe("order.idempotency_key_reused");
    expect(problem.errors?.map((issue) => issue.field)).toEqual(["Idempotency-Key"]);
    expect(await database.db.$count(orders, eq(orders.idempotencyKey, "checkout-misuse"))).toBe(1);
  });

  test("a key longer than 200 characters → 400", async () => {
    const response = await post(body, { "idempotency-key": "k".repeat(201) });
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors?.map((issue) => issue.field)).toEqual(["Idempotency-Key"]);
  });
});

describe("GET /orders/:id", () => {
  test("an unknown order → 404 problem", async () => {
    const response = await app.request("/orders/no-such-order");
    expect(response.status).toBe(404);
    expect(await problemOf(response)).toMatchObject({ status: 404, code: "order.not_found" });
  });

  test("an unknown route → 404 problem", async () => {
    const response = await app.request("/nowhere");
    expect(response.status).toBe(404);
    expect((await problemOf(response)).code).toBe("http.not_found");
  });
});

describe("POST /orders refuses what the database could not store, and stores nothing", () => {
  const countOrders = async () => (await database.db.select({ n: sql<number>`count(*)::int` }).from(orders))[0]!.n;

  test.each([
    ["a unit price above the cap", { ...body, items: [{ productId: "sku-1", quantity: 1, unitPrice: 1e12 }] }, "items.0.unitPrice"],
    ["a total above the cap", { ...body, items: Array.from({ length: 20 }, (_, i) => ({ productId: `sku-${i}`, quantity: 10_000, unitPrice: 100_000 })) }, "items"],
    ["a NUL in a product id", { ...body, items: [{ productId: "sku\u0000", quantity: 1, unitPrice: 1 }] }, "items.0.productId"],
    ["a control character in the address", { ...body, shippingAddress: { ...testAddress, line1: "丸の内\u0007" } }, "shippingAddress.line1"],
  ])("%s → 400 naming the field", async (_name, payload, field) => {
    const before = await countOrders();
    const response = await post(payload);
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors?.map((e) => e.field)).toContain(field);
    expect(await countOrders()).toBe(before);
  });
});

test("a body that is not JSON is a 415 problem naming Content-Type", async () => {
  const response = await app.request("/orders", { method: "POST", headers: { "content-type": "text/plain" }, body: "hello" });
  expect(response.status).toBe(415);
  expect((await problemOf(response)).errors?.map((e) => e.field)).toEqual(["Content-Type"]);
});
