import { beforeAll, describe, expect, test } from "bun:test";
import { and, eq } from "drizzle-orm";
import { emittedEvents, orderBody, problemOf } from "../../lib/testing/index.ts";
import { orderApi } from "./api-world.ts";
import { orders, outbox } from "./store/schema.ts";

const api = orderApi();
const body = orderBody([{ productId: "sku-1", quantity: 2 }]);

beforeAll(async () => {
  await api.setPrice("sku-1", 1500);
}, 60_000);

async function place(as: string, headers: Record<string, string> = {}, payload: unknown = body): Promise<string> {
  const response = await api.post(payload, as, headers);
  expect(response.status).toBe(202);
  return ((await response.json()) as { orderId: string }).orderId;
}
const withKey = (userId: string, key: string) => api.db().$count(orders, and(eq(orders.userId, userId), eq(orders.idempotencyKey, key)));

describe("Idempotency-Key: the customer's own", () => {
  test("a retry returns the same order: one row, one order.created", async () => {
    const key = { "idempotency-key": "checkout-retry" };
    const orderId = await place("u-1", key);
    const second = await api.post(body, "u-1", key);
    expect(second.status).toBe(202);
    expect(((await second.json()) as { orderId: string }).orderId).toBe(orderId);
    expect(second.headers.get("location")).toBe(`/orders/${orderId}`);
    expect(await withKey("u-1", "checkout-retry")).toBe(1);
    expect(await emittedEvents(api.db(), outbox, orderId, "com.example.order.created")).toHaveLength(1);
  });

  test("a retry whose JSON lists the fields in another order is the same request", async () => {
    const key = { "idempotency-key": "checkout-reordered" };
    const orderId = await place("u-1", key);
    const { payment, shippingAddress, currency, items } = body;
    expect(await place("u-1", key, { payment, shippingAddress: { ...shippingAddress }, currency, items })).toBe(orderId);
  });

  test("concurrent POSTs with one key create one order", async () => {
    const key = { "idempotency-key": "checkout-race" };
    const orderIds = await Promise.all([1, 2, 3].map(() => place("u-1", key)));
    expect(new Set(orderIds).size).toBe(1);
    expect(await withKey("u-1", "checkout-race")).toBe(1);
  });

  test("the same key with another body → 422 naming Idempotency-Key, nothing created", async () => {
    const key = { "idempotency-key": "checkout-misuse" };
    await place("u-1", key);
    const response = await api.post(orderBody([{ productId: "sku-1", quantity: 5 }]), "u-1", key);
    expect(response.status).toBe(422);
    const problem = await problemOf(response);
    expect(problem.code).toBe("order.idempotency_key_reused");
    expect(problem.errors?.map((issue) => issue.field)).toEqual(["Idempotency-Key"]);
    expect(await withKey("u-1", "checkout-misuse")).toBe(1);
  });

  test("another customer reusing a key gets an order of their own, never a 422 naming the first one's", async () => {
    const key = { "idempotency-key": "checkout-shared" };
    const first = await place("u-1", key);
    const other = await api.post(orderBody([{ productId: "sku-1", quantity: 1 }]), "u-2", key);
    expect(other.status).toBe(202);
    const second = ((await other.json()) as { orderId: string }).orderId;
    expect(second).not.toBe(first);
    expect((await api.request(`/orders/${second}`, { as: "u-2" })).status).toBe(200);
    expect(await place("u-2", key, orderBody([{ productId: "sku-1", quantity: 1 }]))).toBe(second);
  });

  test("a key longer than 200 characters → 400", async () => {
    const response = await api.post(body, "u-1", { "idempotency-key": "k".repeat(201) });
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors?.map((issue) => issue.field)).toEqual(["Idempotency-Key"]);
  });
});

describe("GET /orders/:id: the owner and staff", () => {
  test("the owner and staff read it; another customer gets the 404 of an order that does not exist", async () => {
    const orderId = await place("u-owner");
    expect((await api.request(`/orders/${orderId}`, { as: "u-owner" })).status).toBe(200);
    expect((await api.request(`/orders/${orderId}`, { as: "staff-1", role: "staff" })).status).toBe(200);
    const stranger = await api.request(`/orders/${orderId}`, { as: "u-stranger" });
    const unknown = await api.request("/orders/no-such-order", { as: "u-stranger" });
    expect([stranger.status, unknown.status]).toEqual([404, 404]);
    const [a, b] = [await problemOf(stranger), await problemOf(unknown)];
    expect([a.code, b.code]).toEqual(["order.not_found", "order.not_found"]);
  });

  test("without a token → 401", async () => {
    expect((await api.request("/orders/whatever")).status).toBe(401);
  });

  test("an unknown route → 404 problem", async () => {
    expect((await problemOf(await api.request("/nowhere"))).code).toBe("http.not_found");
  });
});

describe("GET /orders: the caller's own orders, newest first", () => {
  type Page = { orders: Array<{ orderId: string; createdAt: string }>; next: string | null };
  const page = async (as: string, query = ""): Promise<Page> => {
    const response = await api.request(`/orders${query}`, { as });
    expect(response.status).toBe(200);
    return (await response.json()) as Page;
  };

  test("pages of `limit` with an opaque cursor, until `next` is null; no one else's order in them", async () => {
    const mine: string[] = [];
    for (let i = 0; i < 5; i++) {
      mine.push(await place("u-lister"));
      await place("u-neighbour");
      api.clock.advance(1000);
    }
    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const current: Page = await page("u-lister", `?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(current.orders.length).toBeLessThanOrEqual(2);
      seen.push(...current.orders.map((order) => order.orderId));
      cursor = current.next;
    }
    expect(seen).toEqual([...mine].reverse());
  });

  test("orders placed in the same millisecond are all listed once", async () => {
    const same = await Promise.all([1, 2, 3].map(() => place("u-burst")));
    const first = await page("u-burst", "?limit=1");
    const rest = await page("u-burst", `?cursor=${first.next}`);
    expect([...first.orders, ...rest.orders].map((o) => o.orderId).sort()).toEqual(same.sort());
    expect(rest.next).toBeNull();
  });

  test.each([["?limit=0"], ["?limit=101"], ["?limit=ten"], ["?cursor=bm90LWEtY3Vyc29y"], ["?cursor=%%%"]])("%s → 400 naming the parameter", async (query) => {
    const response = await api.request(`/orders${query}`, { as: "u-1" });
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors?.map((e) => e.field)).toEqual([query.slice(1).split("=")[0]!]);
  });
});
