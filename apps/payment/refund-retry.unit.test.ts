import { describe, expect, test } from "bun:test";
import { AppError } from "../../lib/errors/index.ts";
import { GatewayErrorCode } from "../../lib/payment-gateway/index.ts";
import { answerOf, deliver, eventFor } from "../../lib/testing/index.ts";
import { paymentDecider } from "./domain/payment.ts";
import { reconcilePayments } from "./handlers/reconcile.ts";
import { eventsOrThrow, writeDecided } from "./handlers/write-decided.ts";
import { paymentWorld } from "./payment-world.ts";
import { loadPayment } from "./store/payments.ts";

/** A refund that fails is retried with backoff, then surfaced as needs_attention: never forgotten. */
const world = paymentWorld();
const timeout = () => new AppError(GatewayErrorCode.timeout, "no answer in time", { status: 504, retryable: true });
const reconcile = () => reconcilePayments(world.deps());

async function paid(orderId: string) {
  expect(await answerOf(await deliver(world.app(), "payment", world.orderCreated(orderId)))).toBe("processed");
}
const shortage = (orderId: string) => eventFor("com.example.stock.insufficient", orderId);

describe("a refund that fails", () => {
  test("is recorded and its cause consumed; the reconciler tries again after the backoff and refunds once", async () => {
    await paid("f-retry");
    world.fail("refund", timeout);
    try {
      expect(await answerOf(await deliver(world.app(), "payment", shortage("f-retry")))).toBe("processed");
    } finally {
      world.heal();
    }
    expect(await world.payment("f-retry")).toMatchObject({ status: "refunding", attempts: 1, refundKey: "refund-f-retry", lastError: "gateway.timeout: no answer in time" });
    expect(await answerOf(await deliver(world.app(), "payment", shortage("f-retry")))).toBe("duplicate");
    expect(await reconcile()).toBe(0);
    world.clock.advance(world.recovery.refund.baseDelayMs);
    expect(await reconcile()).toBe(1);
    expect((await world.payment("f-retry"))?.status).toBe("refunded");
    expect(await world.refundsOf("f-retry")).toHaveLength(1);
    const refunded = await world.emitted("f-retry", "com.example.payment.refunded");
    expect(refunded.map((row) => row.event)).toEqual([expect.objectContaining({ causationid: shortage("f-retry").id, data: expect.objectContaining({ reason: "out_of_stock" }) })]);
  });

  test("keeps failing: after 3 attempts payment.escalated (refund_failed) with what the gateway said", async () => {
    await paid("f-exhausted");
    world.fail("refund", timeout);
    try {
      await deliver(world.app(), "payment", eventFor("com.example.stock.released", "f-exhausted"));
      world.clock.advance(world.recovery.refund.baseDelayMs);
      expect(await reconcile()).toBe(1);
      expect(await world.payment("f-exhausted")).toMatchObject({ status: "refunding", attempts: 2 });
      world.clock.advance(2 * world.recovery.refund.baseDelayMs);
      expect(await reconcile()).toBe(1);
    } finally {
      world.heal();
    }
    expect(await world.payment("f-exhausted")).toMatchObject({ status: "needs_attention", attentionReason: "refund_failed", nextAttemptAt: null });
    const [escalated, ...more] = await world.emitted("f-exhausted", "com.example.payment.escalated");
    expect(more).toEqual([]);
    expect(escalated!.event.data).toMatchObject({ reason: "refund_failed", detail: "3 attempts, the last: gateway.timeout: no answer in time" });
    expect(await world.emitted("f-exhausted", "com.example.payment.refunded")).toEqual([]);
    world.clock.advance(world.recovery.refund.maxDelayMs);
    expect(await reconcile()).toBe(0);
  });

  test("refused for good by the gateway (no such charge): escalated at once", async () => {
    await paid("f-refused");
    world.fail("refund", () => new AppError(GatewayErrorCode.unknownCharge, "no succeeded charge", { status: 404 }));
    try {
      expect(await answerOf(await deliver(world.app(), "payment", shortage("f-refused")))).toBe("processed");
    } finally {
      world.heal();
    }
    expect(await world.payment("f-refused")).toMatchObject({ status: "needs_attention", attentionReason: "refund_failed" });
  });

  test("recorded, then the process died before the call: the reconciler refunds once the lease runs out", async () => {
    await paid("f-crash");
    const state = await loadPayment(world.deps().db, "f-crash");
    const now = world.clock.now();
    const decided = paymentDecider.decide({ type: "StockReleased", orderId: "f-crash", now }, state);
    const leaseUntil = new Date(now.getTime() + world.recovery.staleAfterMs);
    expect(await writeDecided(world.deps(), "f-crash", eventsOrThrow(decided), { leaseUntil })).toBe("processed");
    expect(await reconcile()).toBe(0);
    world.clock.advance(world.recovery.staleAfterMs);
    expect(await reconcile()).toBe(1);
    expect((await world.payment("f-crash"))?.status).toBe("refunded");
    expect((await world.emitted("f-crash", "com.example.payment.refunded")).map((row) => (row.event.data as { reason: string }).reason)).toEqual(["reservation_expired"]);
  });
});
