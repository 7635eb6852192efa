import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { EngineConfig } from "../../lib/engines/index.ts";
import { createMemoryLogger } from "../../lib/log/index.ts";
import { orderBody, terminalStatuses, waitFor } from "../../lib/testing/index.ts";
import { composeFlow, type Flow } from "./compose.ts";
import { abuseScenarios } from "./abuse.scenarios.ts";
import { flowClient } from "./flow-client.ts";

export type Engines = { config: Omit<EngineConfig, "dataDir">; cleanup(): Promise<void> };

/**
 * The whole flow in one process, driven through HTTP only, with tokens as customers and staff
 * would have them; run once on the embedded defaults and once on Kafka + PostgreSQL + Redis.
 */
export function orderFlowScenarios(label: string, engines: () => Promise<Engines>) {
  describe(`order flow: ${label}`, () => {
    let cleanupEngines: () => Promise<void> = async () => {};
    let flow: Flow;
    let dataDir: string;
    const client = flowClient(() => flow);
    const { read, post, stock } = client;

    async function placeOrder(body: unknown, as = "u-1"): Promise<string> {
      const response = await post(body, as);
      expect(response.status).toBe(202);
      const { orderId, status } = (await response.json()) as { orderId: string; status: string };
      expect(status).toBe("pending");
      expect(response.headers.get("location")).toBe(`/orders/${orderId}`);
      return orderId;
    }
    const settled = (orderId: string) =>
      waitFor(async () => {
        const order = await read(`/orders/${orderId}`);
        return terminalStatuses.has(order.status) ? order : undefined;
      }, { what: `order ${orderId} to settle` });

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), "orderflow-e2e-"));
      const { config, cleanup } = await engines();
      cleanupEngines = cleanup;
      flow = await composeFlow({ ...config, dataDir, log: createMemoryLogger(), retryBaseDelayMs: 10 });
      await flow.start();
    }, 60_000);
    afterAll(async () => {
      await flow?.stop();
      await cleanupEngines();
      rmSync(dataDir, { recursive: true, force: true });
    }, 60_000);

    test("happy path: shipped, with payment, reservation, shipment and notifications recorded for its customer", async () => {
      await stock("p-happy", 5, 1500);
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
      expect((await read(`/payments?orderId=${orderId}`, "u-1")).payments).toMatchObject([{ status: "completed", amount: 3000 }]);
      expect((await read(`/gateway/charges?orderId=${orderId}`, "u-1")).charges).toMatchObject([{ status: "succeeded", amount: 3000, refunds: [] }]);
      // Once inventory hears of the shipment, the two units have left: 3 on the shelf, none held.
      await waitFor(async () => (await read("/inventory/p-happy")).reserved === 0, { what: "the shipment to leave inventory" });
      expect(await read("/inventory/p-happy")).toEqual({ productId: "p-happy", available: 3, reserved: 0 });
      expect((await read(`/shipments?orderId=${orderId}`, "u-1")).shipments).toHaveLength(1);
      const types = async () => (await read(`/notifications?orderId=${orderId}`, "u-1")).notifications.map((n: { type: string }) => n.type).sort();
      await waitFor(async () => (await types()).length === 4, { what: "four notifications" });
      expect(await types()).toEqual([
        "com.example.order.created",
        "com.example.payment.completed",
        "com.example.shipment.created",
        "com.example.stock.reserved",
      ]);
      expect((await read("/orders", "u-1")).orders.map((o: { orderId: string }) => o.orderId)).toContain(orderId);
    });

    test("declined card: cancelled, payment_failed, nothing reserved", async () => {
      await stock("p-declined", 5);
      const orderId = await placeOrder(orderBody([{ productId: "p-declined", quantity: 1 }], { token: "tok_declined" }));
      const order = await settled(orderId);
      expect(order).toMatchObject({ status: "cancelled", reason: "payment_failed" });
      expect((await read(`/gateway/charges?orderId=${orderId}`)).charges).toMatchObject([{ status: "declined" }]);
      expect(await read("/inventory/p-declined")).toMatchObject({ reserved: 0 });
    });

    test("out of stock: refunded at the gateway, then cancelled out_of_stock, no reservation left", async () => {
      await stock("p-short", 1, 700);
      const orderId = await placeOrder(orderBody([{ productId: "p-short", quantity: 3 }]));
      const order = await settled(orderId);
      expect(order).toMatchObject({ status: "cancelled", reason: "out_of_stock" });
      const [charge] = (await read(`/gateway/charges?orderId=${orderId}`)).charges;
      expect(charge).toMatchObject({ status: "succeeded", amount: 2100, refunds: [{ amount: 2100 }] });
      expect(await read("/inventory/p-short")).toMatchObject({ available: 1, reserved: 0 });
      const types = order.timeline.map((e: { type: string }) => e.type);
      expect(types.indexOf("com.example.payment.refunded")).toBeGreaterThan(types.indexOf("com.example.stock.insufficient"));
    });

    test("50 concurrent orders of 50 customers for scarce stock: never oversold, stock conserved", async () => {
      await stock("p-scarce", 20);
      const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => placeOrder(orderBody([{ productId: "p-scarce", quantity: 1 + (i % 2) }]), `u-${i}`)));
      const orders = await Promise.all(ids.map(settled));
      const shipped = orders.filter((o) => o.status === "shipped");
      const cancelled = orders.filter((o) => o.status === "cancelled");
      expect(shipped.length + cancelled.length).toBe(50);
      for (const o of cancelled) expect(o.reason).toBe("out_of_stock");
      const shippedQuantity = shipped.reduce((sum, o) => sum + o.items[0].quantity, 0);
      expect(shippedQuantity).toBeLessThanOrEqual(20);
      // Stock is conserved: what is on the shelf plus what shipped is what there was.
      await waitFor(async () => (await read("/inventory/p-scarce")).reserved === 0, { what: "every shipment to leave inventory" });
      expect(await read("/inventory/p-scarce")).toEqual({ productId: "p-scarce", available: 20 - shippedQuantity, reserved: 0 });
      // Scarce means someone was turned away, and what is left cannot serve the smallest request.
      expect(cancelled.length).toBeGreaterThan(0);
      expect(20 - shippedQuantity).toBeLessThan(2);
      for (const o of cancelled) {
        const [charge] = (await read(`/gateway/charges?orderId=${o.orderId}`)).charges;
        expect(charge.refunds).toHaveLength(1);
      }
    }, 60_000);

    test("Idempotency-Key: a retried POST returns the same order; another body with the key is 422", async () => {
      const body = orderBody([{ productId: "p-happy", quantity: 1 }]);
      const first = await post(body, "u-1", { "idempotency-key": "retry-1" });
      const second = await post(body, "u-1", { "idempotency-key": "retry-1" });
      expect(first.status).toBe(202);
      expect(second.status).toBe(202);
      expect((await second.json()).orderId).toBe((await first.json()).orderId);
      const misuse = await post(orderBody([{ productId: "p-happy", quantity: 2 }]), "u-1", { "idempotency-key": "retry-1" });
      expect(misuse.status).toBe(422);
      expect(misuse.headers.get("content-type")).toBe("application/problem+json");
    });

    test("bad input is a 400 problem naming the fields, and an unknown order is 404", async () => {
      const response = await post({ userId: "", items: [{ productId: "x", quantity: 0, unitPrice: 1 }], currency: "yen" });
      expect(response.status).toBe(400);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const fields = ((await response.json()).errors as Array<{ field: string }>).map((e) => e.field);
      expect(fields).toEqual(expect.arrayContaining(["items.0.quantity", "currency", "shippingAddress", "payment"]));
      expect(fields).not.toContain("userId");
      const broken = await client.call("/orders", { method: "POST", headers: { "content-type": "application/json", ...(await client.as("u-1")) }, body: "{" });
      expect(broken.status).toBe(400);
      expect((await client.call("/orders/nope", { headers: await client.as("u-1") })).status).toBe(404);
    });

    abuseScenarios(client, { placeOrder, settled });
  });
}
