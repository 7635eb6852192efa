import { describe, expect, test } from "bun:test";
import { AppError } from "../../lib/errors/index.ts";
import { GatewayErrorCode } from "../../lib/payment-gateway/index.ts";
import { answerOf, deliver, problemOf } from "../../lib/testing/index.ts";
import { paymentDecider } from "./domain/payment.ts";
import { reconcilePayments } from "./handlers/reconcile.ts";
import { eventsOrThrow, writeDecided } from "./handlers/write-decided.ts";
import { paymentWorld } from "./payment-world.ts";
import { claimDue } from "./store/due.ts";
import { loadPayment } from "./store/payments.ts";

/**
 * A charge whose answer never came, or that the gateway refused for good, never stays charging:
 * the reconciler looks it up by its key and finishes it, or hands it to a person.
 */
const world = paymentWorld();
const timeout = () => new AppError(GatewayErrorCode.timeout, "no answer in time", { status: 504, retryable: true });
const unavailable = () => new AppError(GatewayErrorCode.unavailable, "try later", { status: 503, retryable: true });
const refused = (code: string) => () => new AppError(code, "refused", { status: 422 });
const reconcile = () => reconcilePayments(world.deps());
const stale = () => world.clock.advance(world.recovery.staleAfterMs + 1);

describe("a charge whose answer was lost", () => {
  test("once stale, the reconciler finds the charge by its key and completes it as usual; the redelivery is a duplicate", async () => {
    const event = world.orderCreated("r-lost", "tok_lost_answer");
    const first = await deliver(world.app(), "payment", event);
    expect([first.status, (await problemOf(first)).code]).toEqual([504, "gateway.timeout"]);
    expect(await reconcile()).toBe(0);
    stale();
    expect(await reconcile()).toBe(1);
    const [charge] = await world.charges("r-lost");
    expect(await world.payment("r-lost")).toMatchObject({ status: "completed", chargeId: charge!.id, nextAttemptAt: null });
    const [completed, ...more] = await world.emitted("r-lost", "com.example.payment.completed");
    expect(more).toEqual([]);
    expect(completed!.event).toMatchObject({ causationid: event.id, data: { orderId: "r-lost", transactionId: charge!.transactionId, items: [{ productId: "sku-1", quantity: 1 }], shippingAddress: event.data.shippingAddress } });
    expect(await answerOf(await deliver(world.app(), "payment", event))).toBe("duplicate");
    stale();
    expect(await reconcile()).toBe(0);
    expect(await world.charges("r-lost")).toHaveLength(1);
  });

  test("the charge never reached the gateway: the lookup finds none, and the payment fails (not_charged)", async () => {
    world.fail("charge", unavailable);
    try {
      expect((await deliver(world.app(), "payment", world.orderCreated("r-never"))).status).toBe(503);
    } finally {
      world.heal();
    }
    stale();
    expect(await reconcile()).toBe(1);
    expect(await world.charges("r-never")).toEqual([]);
    expect((await world.payment("r-never"))?.status).toBe("failed");
    expect((await world.emitted("r-never", "com.example.payment.failed")).map((row) => row.event.data)).toEqual([expect.objectContaining({ code: "not_charged" })]);
    expect(await answerOf(await deliver(world.app(), "payment", world.orderCreated("r-never")))).toBe("duplicate");
    expect(await world.charges("r-never")).toEqual([]);
  });

  test("the gateway cannot tell: looked up again with backoff, then escalated after 3 lookups, never charged again", async () => {
    world.fail("charge", timeout);
    world.fail("lookup", timeout);
    try {
      expect((await deliver(world.app(), "payment", world.orderCreated("r-unknown"))).status).toBe(504);
      stale();
      expect(await reconcile()).toBe(1);
      expect(await world.payment("r-unknown")).toMatchObject({ status: "charging", attempts: 1, lastError: "gateway.timeout: no answer in time" });
      expect(await reconcile()).toBe(0);
      world.clock.advance(world.recovery.lookup.baseDelayMs);
      expect(await reconcile()).toBe(1);
      world.clock.advance(2 * world.recovery.lookup.baseDelayMs);
      expect(await reconcile()).toBe(1);
    } finally {
      world.heal();
    }
    expect(await world.payment("r-unknown")).toMatchObject({ status: "needs_attention", attentionReason: "charge_unresolved", nextAttemptAt: null });
    const [escalated] = await world.emitted("r-unknown", "com.example.payment.escalated");
    expect(escalated!.event.data).toMatchObject({ reason: "charge_unresolved", detail: "3 lookups, the last: gateway.timeout: no answer in time" });
    expect(await answerOf(await deliver(world.app(), "payment", world.orderCreated("r-unknown")))).toBe("duplicate");
    expect(await world.charges("r-unknown")).toEqual([]);
  });

  test("a delivery that takes the payment while the reconciler looks voids the reconciler's write (the fence)", async () => {
    world.fail("charge", timeout);
    try {
      await deliver(world.app(), "payment", world.orderCreated("r-fence"));
      stale();
      const now = world.clock.now();
      const [taken] = await claimDue(world.deps().db, now, new Date(now.getTime() + world.recovery.staleAfterMs), 10);
      expect(taken?.state.status).toBe("charging");
      // The dispatcher's retry arrives meanwhile and takes the payment for its own call.
      expect((await deliver(world.app(), "payment", world.orderCreated("r-fence"))).status).toBe(504);
      const decided = paymentDecider.decide({ type: "ChargeNotFound", now }, taken!.state);
      expect(await writeDecided(world.deps(), "r-fence", eventsOrThrow(decided), { fence: taken!.fence })).toBe("duplicate");
      expect((await loadPayment(world.deps().db, "r-fence")).status).toBe("charging");
    } finally {
      world.heal();
    }
    // The delivery's next retry settles it.
    expect(await answerOf(await deliver(world.app(), "payment", world.orderCreated("r-fence")))).toBe("processed");
    expect((await world.payment("r-fence"))?.status).toBe("completed");
  });

  test("two reconcilers at once take a stale payment once: one payment.completed", async () => {
    await deliver(world.app(), "payment", world.orderCreated("r-race", "tok_lost_answer"));
    stale();
    const taken = await Promise.all([reconcile(), reconcile()]);
    expect(taken[0] + taken[1]).toBe(1);
    expect(await world.emitted("r-race", "com.example.payment.completed")).toHaveLength(1);
  });
});

describe("a charge the gateway refused for good is settled at once", () => {
  test("a refused request: processed, payment.failed with the gateway's code, nothing charged", async () => {
    world.fail("charge", refused("gateway.invalid_request"));
    try {
      expect(await answerOf(await deliver(world.app(), "payment", world.orderCreated("r-refused")))).toBe("processed");
    } finally {
      world.heal();
    }
    expect(await world.payment("r-refused")).toMatchObject({ status: "failed", chargeId: null });
    expect((await world.emitted("r-refused", "com.example.payment.failed")).map((row) => (row.event.data as { code: string }).code)).toEqual(["gateway.invalid_request"]);
  });

  test("a key that names another charge: payment.escalated (charge_conflict), the payment needs attention", async () => {
    world.fail("charge", refused(GatewayErrorCode.idempotencyMismatch));
    try {
      expect(await answerOf(await deliver(world.app(), "payment", world.orderCreated("r-conflict")))).toBe("processed");
    } finally {
      world.heal();
    }
    expect(await world.payment("r-conflict")).toMatchObject({ status: "needs_attention", attentionReason: "charge_conflict" });
    expect((await world.emitted("r-conflict", "com.example.payment.escalated")).map((row) => (row.event.data as { reason: string }).reason)).toEqual(["charge_conflict"]);
  });
});
