import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { EngineConfig } from "../../lib/engines/index.ts";
import { orderBody, terminalStatuses, waitFor } from "../../lib/testing/index.ts";
import { composeFlow, type Flow } from "./compose.ts";

export type Engines = { config: Omit<EngineConfig, "dataDir">; cleanup(): Promise<void> };

/**
 * The whole flow in one process, driven through HTTP only; run once on the embedded defaults and
 * once on Kafka + PostgreSQL + Redis.
 */
export function orderFlowScenarios(label: string, engines: () => Promise<Engines>) {
  describe(`order flow: ${label}`, () => {
    let cleanupEngines: () => Promise<void> = async () => {};
    let flow: Flow;
    let dataDir: string;
    const call = (path: string, init?: RequestInit) => flow.app.request(path, init);
    const json = async (path: string) => (await call(path)).json() as Promise<any>;
    const put = (path: string, body: unknown) =>
      call(path, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      call("/orders", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

    async function placeOrder(body: unknown): Promise<string> {
      const response = await post(body);
      expect(response.status).toBe(202);
      const { orderId, status } = (await response.json()) as { orderId: string; status: string };
      expect(status).toBe("pending");
      expect(response.headers.get("location")).toBe(`/orders/${orderId}`);
      return orderId;
    }
    const settled = (orderId: string) =>
      waitFor(async () => {
        const order = await json(`/orders/${orderId}`);
        return terminalStatuses.has(order.status) ? order : undefined;
      }, { what: `order ${orderId} to settle` });

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), "orderflow-e2e-"));
      const { config, cleanup } = await engines();
      cleanupEngines = cleanup;
      flow = await composeFlow({ ...config, dataDir, log: () => {}, retryBaseDelayMs: 10 });
      await flow.start();
    });
    afterAll(async () => {
      await flow?.stop();
      await cleanupEngines();
      rmSync(dataDir, { recursive: true, force: true });
    }, 60_000);

    test("happy path: shipped, with payment, reservation, shipment and notifications recorded", async () => {
      await put("/inventory/p-happy", { available: 5 });
      const orderId = await placeOrder(orderBody([{ productId: "p-happy", quantity: 2, unitPrice: 1500 }]));
      const order = await settled(orderId);
      expect(order.status).toBe("shipped");
      expect(order.totalAmount).toBe(3000);
      expect(order.timeline.map((e: { type: string }) => e.type)).toEqual([
        "com.example.order.created",
        "com.example.payment.completed",
        "com.example.stock.reserved",
        "com.example.shipment.created",
      ]);
      expect((await json(`/payments?orderId=${orderId}`)).payments).toMatchObject([{ status: "completed", amount: 3000 }]);
      expect((await json(`/gateway/charges?orderId=${orderId}`)).charges).toMatchObject([{ status: "succeeded", amount: 3000, refunds: [] }]);
      // Once inventory hears of the shipment, the two units have left: 3 on the shelf, none held.
      await waitFor(async () => (await json("/inventory/p-happy")).reserved === 0, { what: "the shipment to leave inventory" });
      expect(await json("/inventory/p-happy")).toEqual({ productId: "p-happy", available: 3, reserved: 0 });
      expect((await json(`/shipments?orderId=${orderId}`)).shipments).toHaveLength(1);
      const types = async () => (await json(`/notifications?orderId=${orderId}`)).notifications.map((n: { type: string }) => n.type).sort();
      await waitFor(async () => (await types()).length === 4, { what: "four notifications" });
      expect(await types()).toEqual([
        "com.example.order.created",
        "com.example.payment.completed",
        "com.example.shipment.created",
        "com.example.stock.reserved",
      ]);
    });

    test("declined card: cancelled, payment_failed, nothing reserved", async () => {
      await put("/inventory/p-declined", { available: 5 });
      const orderId = await placeOrder(orderBody([{ productId: "p-declined", quantity: 1 }], { token: "tok_declined" }));
      const order = await settled(orderId);
      expect(order).toMatchObject({ status: "cancelled", reason: "payment_failed" });
      expect((await json(`/gateway/charges?orderId=${orderId}`)).charges).toMatchObject([{ status: "declined" }]);
      expect(await json("/inventory/p-declined")).toMatchObject({ reserved: 0 });
    });

    test("out of stock: refunded at the gateway, then cancelled out_of_stock, no reservation left", async () => {
      await put("/inventory/p-short", { available: 1 });
      const orderId = await placeOrder(orderBody([{ productId: "p-short", quantity: 3, unitPrice: 700 }]));
      const order = await settled(orderId);
      expect(order).toMatchObject({ status: "cancelled", reason: "out_of_stock" });
      const [charge] = (await json(`/gateway/charges?orderId=${orderId}`)).charges;
      expect(charge).toMatchObject({ status: "succeeded", amount: 2100, refunds: [{ amount: 2100 }] });
      expect(await json("/inventory/p-short")).toMatchObject({ available: 1, reserved: 0 });
      const types = order.timeline.map((e: { type: string }) => e.type);
      expect(types.indexOf("com.example.payment.refunded")).toBeGreaterThan(types.indexOf("com.example.stock.insufficient"));
    });

    test("50 concurrent orders for scarce stock: never oversold, stock conserved", async () => {
      await put("/inventory/p-scarce", { available: 20 });
      const ids = await Promise.all(
        Array.from({ length: 50 }, (_, i) => placeOrder(orderBody([{ productId: "p-scarce", quantity: 1 + (i % 2) }], { userId: `u-${i}` }))),
      );
      const orders = await Promise.all(ids.map(settled));
      const shipped = orders.filter((o) => o.status === "shipped");
      const cancelled = orders.filter((o) => o.status === "cancelled");
      expect(shipped.length + cancelled.length).toBe(50);
      for (const o of cancelled) expect(o.reason).toBe("out_of_stock");
      const shippedQuantity = shipped.reduce((sum, o) => sum + o.items[0].quantity, 0);
      expect(shippedQuantity).toBeLessThanOrEqual(20);
      // Stock is conserved: what is on the shelf plus what shipped is what there was.
      await waitFor(async () => (await json("/inventory/p-scarce")).reserved === 0, { what: "every shipment to leave inventory" });
      expect(await json("/inventory/p-scarce")).toEqual({ productId: "p-scarce", available: 20 - shippedQuantity, reserved: 0 });
      // Scarce means someone was turned away, and what is left cannot serve the smallest request.
      expect(cancelled.length).toBeGreaterThan(0);
      expect(20 - shippedQuantity).toBeLessThan(2);
      for (const o of cancelled) {
        const [charge] = (await json(`/gateway/charges?orderId=${o.orderId}`)).charges;
        expect(charge.refunds).toHaveLength(1);
      }
    });

    test("Idempotency-Key: a retried POST returns the same order; another body with the key is 422", async () => {
      const body = orderBody([{ productId: "p-happy", quantity: 1 }]);
      const first = await post(body, { "idempotency-key": "retry-1" });
      const second = await post(body, { "idempotency-key": "retry-1" });
      expect(first.status).toBe(202);
      expect(second.status).toBe(202);
      expect((await second.json()).orderId).toBe((await first.json()).orderId);
      const misuse = await post(orderBody([{ productId: "p-happy", quantity: 2 }]), { "idempotency-key": "retry-1" });
      expect(misuse.status).toBe(422);
      expect(misuse.headers.get("content-type")).toBe("application/problem+json");
    });

    test("bad input is a 400 problem naming the fields, and an unknown order is 404", async () => {
      const response = await post({ userId: "", items: [{ productId: "x", quantity: 0, unitPrice: 1 }], currency: "yen" });
      expect(response.status).toBe(400);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const fields = ((await response.json()).errors as Array<{ field: string }>).map((e) => e.field);
      expect(fields).toEqual(expect.arrayContaining(["userId", "items.0.quantity", "currency", "shippingAddress", "payment"]));
      const broken = await call("/orders", { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
      expect(broken.status).toBe(400);
      expect((await call("/orders/nope")).status).toBe(404);
    });
  });
}
