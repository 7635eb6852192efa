import { expect, test } from "bun:test";
import { orderBody, waitFor } from "../../lib/testing/index.ts";
import { flowForTests } from "../dev/flow-for-tests.ts";

/**
 * The whole flow on the embedded engines, with a card whose every charge call is made and its
 * answer lost (`tok_lost_answer`): each delivery of order.created fails (504) and is retried, and
 * none can ever settle the payment. The reconciler (every 50 ms here, for payments untouched for
 * 200 ms) looks the charge up by its key, finds it, and completes the payment: the order ships.
 */
const { read, post, stock } = flowForTests("stranded", { env: { PAYMENT_RECONCILE_MS: "50", PAYMENT_STALE_AFTER_MS: "200" } });

test("a charge whose answers were all lost is found by its key and completed: the order ships, charged once", async () => {
  await stock("p-stranded", 3, 1200);
  const response = await post(orderBody([{ productId: "p-stranded", quantity: 2 }], { token: "tok_lost_answer" }));
  expect(response.status).toBe(202);
  const { orderId } = (await response.json()) as { orderId: string };

  const order = await waitFor(async () => {
    const current = await read(`/orders/${orderId}`);
    return current.status === "shipped" ? current : undefined;
  }, { what: "the stranded order to ship" });
  expect(order.timeline.map((entry: { type: string }) => entry.type)).toContain("com.example.payment.completed");
  expect((await read(`/gateway/charges?orderId=${orderId}`)).charges).toMatchObject([{ status: "succeeded", amount: 2400, refunds: [] }]);
  const { payments } = await read(`/payments?orderId=${orderId}`);
  expect(payments).toMatchObject([{ status: "completed", nextAttemptAt: null }]);
  expect(await read("/inventory/p-stranded")).toEqual({ productId: "p-stranded", available: 1, reserved: 0 });
});
