import { expect, test } from "bun:test";
import { orderBody, waitFor } from "../../lib/testing/index.ts";
import type { FlowClient } from "./flow-client.ts";

type Steps = { placeOrder(body: unknown, as?: string): Promise<string>; settled(orderId: string): Promise<any> };

/**
 * What an outsider tried against the public API (issue: security), each now refused through the
 * whole flow: reading another customer's order and its records, setting the price, borrowing
 * another customer's Idempotency-Key, and staff's operations.
 */
export function abuseScenarios(client: FlowClient, { placeOrder, settled }: Steps) {
  const { as, call, read, post, send, staff, stock } = client;

  test("another customer gets 404 for every record of an order, as for one that does not exist; its customer and staff read them", async () => {
    await stock("p-private", 5);
    const orderId = await placeOrder(orderBody([{ productId: "p-private", quantity: 1 }]), "u-1");
    expect((await settled(orderId)).status).toBe("shipped");
    await waitFor(async () => (await read(`/notifications?orderId=${orderId}`, "u-1")).notifications?.length > 0, { what: "a notification" });
    const paths = [`/orders/${orderId}`, ...["payments", "shipments", "notifications", "gateway/charges"].map((path) => `/${path}?orderId=${orderId}`)];
    for (const path of paths) {
      const [owner, colleague, stranger, anonymous] = await Promise.all([
        call(path, { headers: await as("u-1") }),
        call(path, { headers: await staff() }),
        call(path, { headers: await as("u-2") }),
        call(path),
      ]);
      expect([path, owner.status, colleague.status, stranger.status, anonymous.status]).toEqual([path, 200, 200, 404, 401]);
      const unknown = await call(path.replace(orderId, "o-never-placed"), { headers: await as("u-2") });
      expect([unknown.status, (await unknown.json()).code]).toEqual([404, (await stranger.json()).code]);
    }
  }, 30_000);

  test("a price of 0 in the body is 409 price_changed with the current price: no order, nothing charged", async () => {
    await stock("p-priced", 5, 3400);
    const response = await post(orderBody([{ productId: "p-priced", quantity: 3, unitPrice: 0 }]), "u-zero");
    expect(response.status).toBe(409);
    const problem = await response.json();
    expect(problem).toMatchObject({ code: "order.price_changed", errors: [{ field: "items.0.unitPrice" }], currentPrices: [{ productId: "p-priced", unitPrice: 3400, currency: "JPY" }] });
    expect((await read("/orders", "u-zero")).orders).toEqual([]);
    expect(await read("/inventory/p-priced")).toMatchObject({ available: 5, reserved: 0 });
  });

  test("a second customer reusing an Idempotency-Key gets an order of their own", async () => {
    const key = { "idempotency-key": "checkout-1" };
    const first = await post(orderBody([{ productId: "p-private", quantity: 1 }]), "u-1", key);
    const second = await post(orderBody([{ productId: "p-private", quantity: 2 }]), "u-2", key);
    expect([first.status, second.status]).toEqual([202, 202]);
    const [a, b] = [(await first.json()).orderId, (await second.json()).orderId];
    expect(b).not.toBe(a);
    expect((await call(`/orders/${a}`, { headers: await as("u-2") })).status).toBe(404);
    expect((await read(`/orders/${b}`, "u-2")).items).toMatchObject([{ productId: "p-private", quantity: 2 }]);
  });

  test("staff's operations: a customer setting stock or a price, or replaying dead letters, gets 403; no token 401", async () => {
    await stock("p-guarded", 5, 500);
    expect((await send("PUT", "/inventory/p-guarded", { available: 0 }, await as("u-1"))).status).toBe(403);
    expect((await send("PUT", "/inventory/p-guarded", { available: 0 }, {})).status).toBe(401);
    expect((await send("PUT", "/products/p-guarded", { name: "free", unitPrice: 0, currency: "JPY" }, await as("u-1"))).status).toBe(403);
    expect(await read("/inventory/p-guarded")).toMatchObject({ available: 5 });
    expect(await (await call("/products/p-guarded")).json()).toMatchObject({ unitPrice: 500 });

    const replay = (service: string, headers: Record<string, string> = {}) => call(`/admin/dead-letters/replay?service=${service}`, { method: "POST", headers });
    expect((await replay("order", await as("u-1"))).status).toBe(403);
    expect((await replay("order")).status).toBe(401);
    const unknown = await replay("gift-wrapping", await staff());
    expect(unknown.status).toBe(422);
    expect(await unknown.json()).toMatchObject({ code: "replay.unknown_subscription", errors: [{ field: "service" }] });
  });
}
