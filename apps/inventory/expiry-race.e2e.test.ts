import { expect, test } from "bun:test";
import { orderBody, terminalStatuses, waitFor } from "../../lib/testing/index.ts";
import { type AuditResult, runAudit } from "../audit/run-audit.ts";
import { flowForTests } from "../dev/flow-for-tests.ts";

/**
 * The race the issue found, provoked on purpose: reservations last 150 ms, the sweeper asks about
 * them as soon as they run out (no grace, every 10 ms), so shipping's shipment and inventory's
 * expiry meet all the time. Shipping decides each order once: whichever way each one goes, no
 * order is both shipped and refunded, and the books add up.
 */
const { read, post, stock, flow } = flowForTests("expiry-race", { reservation: { ttlMs: 150, graceMs: 0, sweepMs: 10 } });

test("shipment and expiry racing over 12 orders: each shipped or refunded and cancelled, never both", async () => {
  await stock("p-race", 24, 500);
  const orderIds: string[] = [];
  for (let i = 0; i < 12; i++) {
    const response = await post(orderBody([{ productId: "p-race", quantity: 2 }]), `u-race-${i}`);
    orderIds.push(((await response.json()) as { orderId: string }).orderId);
  }
  for (const orderId of orderIds) {
    await waitFor(async () => terminalStatuses.has((await read(`/orders/${orderId}`)).status), { what: `order ${orderId} to end` });
  }
  let last: AuditResult | undefined;
  await waitFor(async () => (last = await runAudit(flow().database)).breaches.length === 0, { what: "a clean audit" }).catch(() => {});
  expect(last?.breaches).toEqual([]);
  const statuses: string[] = await Promise.all(orderIds.map(async (orderId) => (await read(`/orders/${orderId}`)).status));
  const shippedUnits = 2 * statuses.filter((status) => status === "shipped").length;
  expect(await read("/inventory/p-race")).toEqual({ productId: "p-race", available: 24 - shippedUnits, reserved: 0 });
}, 60_000);
