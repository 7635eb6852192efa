import { expect, test } from "bun:test";
import { orderBody, waitFor } from "../../lib/testing/index.ts";
import { type AuditResult, runAudit } from "../audit/run-audit.ts";
import { flowForTests } from "../dev/flow-for-tests.ts";

/**
 * A gateway that never answers (every call times out: PAYMENT_SANDBOX_TIMEOUT_RATE=1; behind half
 * of them the charge was made): the deliveries keep failing, and so do the reconciler's lookups.
 * After two lookups the payment is escalated and the order needs attention: not pending forever,
 * and listed for staff. The auditor accepts it as an end.
 */
const { read, post, stock, flow } = flowForTests("gateway-faults", {
  env: { PAYMENT_SANDBOX_TIMEOUT_RATE: "1", PAYMENT_SANDBOX_SEED: "11", PAYMENT_RECONCILE_MS: "50", PAYMENT_STALE_AFTER_MS: "100", PAYMENT_LOOKUP_ATTEMPTS: "2" },
});

test("a payment the gateway never settles: the order needs attention, with the reason, listed for staff", async () => {
  await stock("p-faulty", 5, 700);
  const response = await post(orderBody([{ productId: "p-faulty", quantity: 1 }]), "u-faulty");
  const { orderId } = (await response.json()) as { orderId: string };

  const order = await waitFor(async () => {
    const current = await read(`/orders/${orderId}`, "u-faulty");
    return current.status === "needs_attention" ? current : undefined;
  }, { what: "the order to need attention" });
  expect(order.reason).toBe("charge_unresolved");

  const { orders } = await read("/admin/orders?status=needs_attention");
  expect(orders).toEqual([expect.objectContaining({ orderId, userId: "u-faulty", reason: "charge_unresolved", detail: expect.stringContaining("gateway.timeout"), since: expect.any(String) })]);
  expect((await read(`/payments?orderId=${orderId}`)).payments).toMatchObject([{ status: "needs_attention", attentionReason: "charge_unresolved" }]);
  await waitFor(async () => (await read(`/notifications?orderId=${orderId}`)).notifications.some((n: { type: string }) => n.type === "com.example.payment.escalated"), {
    what: "the customer to hear that a person is looking",
  });

  // At rest, the auditor finds no breach: needs_attention is an end, charged in full or not at all.
  let last: AuditResult | undefined;
  await waitFor(async () => (last = await runAudit(flow().database)).breaches.length === 0, { what: "a clean audit" }).catch(() => {});
  expect(last?.breaches).toEqual([]);
}, 60_000);
