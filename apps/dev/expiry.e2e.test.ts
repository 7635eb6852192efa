import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createMemoryLogger } from "../../lib/log/index.ts";
import { orderBody, terminalStatuses, waitFor } from "../../lib/testing/index.ts";
import { composeFlow, type Flow } from "./compose.ts";
import { flowClient } from "./flow-client.ts";

/**
 * A reservation that is never shipped expires: its stock goes back on the shelf, the charge is
 * refunded and the order is cancelled. Reservations here last 1 ms, so shipping always finds them
 * expired and refuses; the sweeper runs every 50 ms with no grace.
 */
let flow: Flow;
let dataDir: string;
const { call, read: json, post, staff, stock } = flowClient(() => flow);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "orderflow-expiry-"));
  flow = await composeFlow({ dataDir, log: createMemoryLogger(), retryBaseDelayMs: 10, reservation: { ttlMs: 1, graceMs: 0, sweepMs: 50 } });
  await flow.start();
}, 60_000);
afterAll(async () => {
  await flow.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

test("an expired reservation gives its stock back, the charge is refunded, the order cancelled", async () => {
  await stock("p-expiring", 4, 500);
  const response = await post(orderBody([{ productId: "p-expiring", quantity: 3, unitPrice: 500 }]));
  const { orderId } = (await response.json()) as { orderId: string };
  const order = await waitFor(async () => {
    const o = await json(`/orders/${orderId}`);
    return terminalStatuses.has(o.status) ? o : undefined;
  }, { what: "the order to settle" });

  expect(order).toMatchObject({ status: "cancelled", reason: "reservation_expired" });
  const types = order.timeline.map((e: { type: string }) => e.type);
  expect(types).toEqual(expect.arrayContaining(["com.example.stock.reserved", "com.example.stock.released", "com.example.payment.refunded"]));
  expect(types).not.toContain("com.example.shipment.created");
  // Nothing shipped: shipping has no record of the order, even for staff.
  expect((await call(`/shipments?orderId=${orderId}`, { headers: await staff() })).status).toBe(404);
  expect((await json(`/gateway/charges?orderId=${orderId}`)).charges).toMatchObject([{ amount: 1500, refunds: [{ amount: 1500 }] }]);
  expect(await json("/inventory/p-expiring")).toEqual({ productId: "p-expiring", available: 4, reserved: 0 });
  await waitFor(async () => (await json(`/notifications?orderId=${orderId}`)).notifications.some((n: { type: string }) => n.type === "com.example.stock.released"), {
    what: "the customer to hear of it",
  });
});
