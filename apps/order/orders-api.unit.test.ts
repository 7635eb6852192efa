import { beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { emittedEvents, problemOf, testAddress } from "../../lib/testing/index.ts";
import { orderApi } from "./api-world.ts";
import { orders, outbox } from "./store/schema.ts";

const api = orderApi();

beforeAll(async () => {
  for (const [productId, price] of [["sku-1", 1500], ["sku-2", 800], ["sku-big", 100_000_000]] as const) expect((await api.setPrice(productId, price)).status).toBe(200);
  for (let i = 0; i < 20; i++) await api.setPrice(`sku-many-${i}`, 100_000);
  await api.setPrice("sku-dollars", 25, "USD");
}, 60_000);

const body = {
  items: [
    { productId: "sku-1", quantity: 2 },
    { productId: "sku-2", quantity: 1 },
  ],
  currency: "JPY",
  shippingAddress: testAddress,
  payment: { method: "credit_card", token: "tok_visa" },
};
const priced = [
  { productId: "sku-1", quantity: 2, unitPrice: 1500 },
  { productId: "sku-2", quantity: 1, unitPrice: 800 },
];
const count = () => api.db().$count(orders);
const createdEventsOf = (orderId: string) => emittedEvents(api.db(), outbox, orderId, "com.example.order.created");

describe("POST /orders", () => {
  test("202 with Location; the order is the caller's, priced from the catalogue, and order.created is in the outbox", async () => {
    const response = await api.post({ ...body, userId: "someone-else" }, "u-1");
    expect(response.status).toBe(202);
    const { orderId, status } = (await response.json()) as { orderId: string; status: string };
    expect(status).toBe("pending");
    expect(response.headers.get("location")).toBe(`/orders/${orderId}`);

    const order = (await (await api.request(`/orders/${orderId}`, { as: "u-1" })).json()) as Record<string, unknown>;
    expect(order).toMatchObject({ orderId, status: "pending", totalAmount: 3800, currency: "JPY", items: priced });
    expect(order.timeline).toEqual([expect.objectContaining({ type: "com.example.order.created" })]);

    const [row, ...more] = await createdEventsOf(orderId);
    expect(more).toEqual([]);
    expect(row?.topic).toBe("order-events");
    expect(row?.event).toMatchObject({ type: "com.example.order.created", correlationid: orderId, data: { orderId, userId: "u-1", totalAmount: 3800, items: priced } });
  });

  test("without a token → 401 problem with WWW-Authenticate, nothing stored", async () => {
    const before = await count();
    const response = await api.post(body, null);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain("Bearer");
    expect((await problemOf(response)).code).toBe("auth.unauthenticated");
    expect(await api.request("/orders", { method: "POST", headers: { authorization: "Bearer not-a-jwt" } }).then((r) => r.status)).toBe(401);
    expect(await count()).toBe(before);
  });

  const invalid: Array<{ name: string; payload: unknown; fields: string[] }> = [
    {
      name: "a zero quantity and a bad postal code",
      payload: { ...body, items: [{ productId: "sku-1", quantity: 0 }], shippingAddress: { ...testAddress, postalCode: "1" } },
      fields: ["items.0.quantity", "shippingAddress.postalCode"],
    },
    { name: "no items", payload: { ...body, items: [] }, fields: ["items"] },
    { name: "101 lines", payload: { ...body, items: Array.from({ length: 101 }, () => ({ productId: "sku-1", quantity: 1 })) }, fields: ["items"] },
    { name: "a lower-case currency and an unknown method", payload: { ...body, currency: "jpy", payment: { method: "cash" } }, fields: ["currency", "payment.method"] },
    { name: "a negative unit price", payload: { ...body, items: [{ productId: "sku-1", quantity: 1, unitPrice: -1 }] }, fields: ["items.0.unitPrice"] },
    { name: "a unit price above the cap", payload: { ...body, items: [{ productId: "sku-1", quantity: 1, unitPrice: 1e12 }] }, fields: ["items.0.unitPrice"] },
    { name: "a total above the cap", payload: { ...body, items: Array.from({ length: 20 }, (_, i) => ({ productId: `sku-many-${i}`, quantity: 10_000 })) }, fields: ["items"] },
    { name: "a NUL in a product id", payload: { ...body, items: [{ productId: "sku\u0000", quantity: 1 }] }, fields: ["items.0.productId"] },
    { name: "a control character in the address", payload: { ...body, shippingAddress: { ...testAddress, line1: "丸の内\u0007" } }, fields: ["shippingAddress.line1"] },
  ];

  test.each(invalid)("$name → 400 naming $fields, nothing stored", async ({ payload, fields }) => {
    const before = await count();
    const response = await api.post(payload);
    expect(response.status).toBe(400);
    const problem = await problemOf(response);
    expect(problem.code).toBe("request.invalid");
    expect(problem.errors?.map((issue) => issue.field)).toEqual(expect.arrayContaining(fields));
    expect(await count()).toBe(before);
  });

  test("a body that is not JSON → 400 problem; not application/json → 415 naming Content-Type", async () => {
    expect((await problemOf(await api.post("{not json"))).status).toBe(400);
    const response = await api.request("/orders", { method: "POST", as: "u-1", headers: { "content-type": "text/plain" }, body: "hello" });
    expect(response.status).toBe(415);
    expect((await problemOf(response)).errors?.map((e) => e.field)).toEqual(["Content-Type"]);
  });
});

describe("POST /orders: prices come from the catalogue only", () => {
  test("price 0 in the body → 409 price_changed with the current price; nothing stored, nothing charged", async () => {
    const before = await count();
    const response = await api.post({ ...body, items: [{ productId: "sku-1", quantity: 3, unitPrice: 0 }] });
    expect(response.status).toBe(409);
    const problem = (await problemOf(response)) as Awaited<ReturnType<typeof problemOf>> & { currentPrices: unknown };
    expect(problem).toMatchObject({ status: 409, code: "order.price_changed", errors: [{ field: "items.0.unitPrice" }] });
    expect(problem.currentPrices).toEqual([{ field: "items.0.unitPrice", productId: "sku-1", unitPrice: 1500, currency: "JPY" }]);
    expect(await count()).toBe(before);
  });

  test("the catalogue's own price in the body is accepted", async () => {
    expect((await api.post({ ...body, items: [{ productId: "sku-1", quantity: 1, unitPrice: 1500 }] })).status).toBe(202);
  });

  test.each([
    ["an unknown product", [{ productId: "sku-1", quantity: 1 }, { productId: "sku-nowhere", quantity: 1 }], "order.unknown_product", "items.1.productId"],
    ["a product sold in another currency", [{ productId: "sku-dollars", quantity: 1 }], "order.currency_mismatch", "items.0.productId"],
  ])("%s → 422 naming the line, nothing stored", async (_name, items, code, field) => {
    const before = await count();
    const response = await api.post({ ...body, items });
    expect(response.status).toBe(422);
    expect(await problemOf(response)).toMatchObject({ code, errors: [{ field }] });
    expect(await count()).toBe(before);
  });

  test("a price set above the cap in the catalogue still cannot make an order above it", async () => {
    const response = await api.post({ ...body, items: [{ productId: "sku-big", quantity: 11 }] });
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors?.map((e) => e.field)).toEqual(["items"]);
  });
});

test("an order placed before a price change keeps the price it was placed at", async () => {
  await api.setPrice("sku-rising", 100);
  const { orderId } = (await (await api.post({ ...body, items: [{ productId: "sku-rising", quantity: 1 }] })).json()) as { orderId: string };
  await api.setPrice("sku-rising", 200);
  const order = (await (await api.request(`/orders/${orderId}`, { as: "u-1" })).json()) as { totalAmount: number };
  expect(order.totalAmount).toBe(100);
  expect((await api.db().select().from(orders).where(eq(orders.id, orderId)))[0]?.items).toEqual([{ productId: "sku-rising", quantity: 1, unitPrice: 100 }]);
});

test("an Idempotency-Key with C1 controls or a bidi override is a 400 naming the header, nothing stored", async () => {
  const before = await count();
  // Header values are bytes: a client's UTF-8 for U+202E arrives as the Latin-1 characters of its bytes.
  for (const key of ["k\u009b31m", Buffer.from("k\u202eevil", "utf8").toString("latin1")]) {
    const response = await api.post(body, "u-1", { "idempotency-key": key });
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors).toEqual([expect.objectContaining({ field: "Idempotency-Key" })]);
  }
  expect(await count()).toBe(before);
});
