import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createMemoryLogger } from "../../lib/log/index.ts";
import { orderBody, terminalStatuses, testSecurityEnv, waitFor } from "../../lib/testing/index.ts";
import { composeFlow, type Flow } from "../dev/compose.ts";
import { flowClient } from "../dev/flow-client.ts";
import { formatAudit } from "./report.ts";
import { type AuditResult, runAudit } from "./run-audit.ts";

let flow: Flow;
let dataDir: string;
const { post, read, stock } = flowClient(() => flow);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "orderflow-audit-e2e-"));
  flow = await composeFlow({ dataDir, log: createMemoryLogger(), retryBaseDelayMs: 10, env: { ...testSecurityEnv } });
  await flow.start();
}, 60_000);
afterAll(async () => {
  await flow?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

async function placeOrder(productId: string, quantity: number, token?: string): Promise<string> {
  const response = await post(orderBody([{ productId, quantity }], { token }));
  expect(response.status).toBe(202);
  return ((await response.json()) as { orderId: string }).orderId;
}

test("a shipped, a declined and an out-of-stock order: once the flow is at rest, no breach", async () => {
  await stock("p-audit", 5, 1500);
  await stock("p-audit-short", 1, 700);
  const orderIds = [await placeOrder("p-audit", 2), await placeOrder("p-audit", 1, "tok_declined"), await placeOrder("p-audit-short", 3)];
  const statuses = await Promise.all(
    orderIds.map((orderId) =>
      waitFor(async () => {
        const { status } = await read(`/orders/${orderId}`);
        return terminalStatuses.has(status) ? status : undefined;
      }, { what: `order ${orderId} to settle` }),
    ),
  );
  expect(statuses).toEqual(["shipped", "cancelled", "cancelled"]);

  // At rest once the last deliveries (inventory's shipment, the notifications) have landed: the
  // audit then comes out clean, and stays so. Should it never, the last breaches are shown.
  let last: AuditResult | undefined;
  const audit = () => runAudit(flow.database, { notificationsFile: join(dataDir, "notifications.jsonl") });
  await waitFor(async () => (last = await audit()).breaches.length === 0, { what: "a clean audit" }).catch(() => {});
  expect(last?.breaches).toEqual([]);
  const settled = await audit();
  expect(settled.breaches).toEqual([]);
  expect(settled.checked).toMatchObject({ orders: 3, products: 2, notificationLog: true });
  expect(formatAudit(settled)).toBe("audit: no breach (9 invariants over 3 orders and 2 products, with the notifier's log)");
}, 60_000);
