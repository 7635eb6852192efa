import { describe, expect, test } from "bun:test";
import { dataFor, deciderSpec, testAddress, testTime } from "../../../lib/testing/index.ts";
import type { Charge } from "../../../lib/payment-gateway/index.ts";
import { paymentDecider } from "./payment.ts";
import { plainLine } from "./published.ts";
import type {
  ChargeRequested, GatewayFailure, PaymentCompleted, PaymentEscalated, PaymentEvent, PaymentFailed, PaymentIntent, PaymentRefunded, RefundRequested, RetryPolicy,
} from "./types.ts";

const spec = deciderSpec(paymentDecider);
const orderId = "o-1";
const now = testTime;
const later = (ms: number) => new Date(now.getTime() + ms);
const order = dataFor("com.example.order.created", orderId, { items: [{ productId: "sku-1", quantity: 2, unitPrice: 1000 }] });
const fulfilment = { items: [{ productId: "sku-1", quantity: 2 }], shippingAddress: testAddress };

const intent: PaymentIntent = {
  paymentId: "pay_1",
  orderId,
  userId: order.userId,
  idempotencyKey: `pay-${orderId}`,
  amount: order.totalAmount,
  currency: "JPY",
  method: "credit_card",
  fulfilment,
};
const base = { paymentId: "pay_1", orderId, userId: order.userId, amount: order.totalAmount, currency: "JPY" };
const policy: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 1500 };

const orderCreated = (paymentId = "pay_1") => ({ type: "OrderCreated", order, paymentId, now }) as const;
const answered = (charge: Partial<Charge>) =>
  ({ type: "ChargeAnswered", charge: { chargeId: "ch_1", orderId, amount: order.totalAmount, currency: "JPY", status: "succeeded", ...charge }, now }) as const;
const succeeded = answered({ transactionId: "txn_1" });
const declined = answered({ status: "declined", declineCode: "card_declined" });
const timeout: GatewayFailure = { code: "gateway.timeout", detail: "no answer", retryable: true };
const refused = (code: string): GatewayFailure => ({ code, detail: "refused", retryable: false });
const lookupFailed = { type: "LookupFailed", failure: timeout, policy, now } as const;
const refundFailed = (failure = timeout) => ({ type: "RefundFailed", failure, policy, now }) as const;
const refundAnswered = { type: "RefundAnswered", refund: { refundId: "re_1", chargeId: "ch_1", amount: order.totalAmount }, now } as const;
const stock = (type: "StockInsufficient" | "StockReleased") => ({ type, orderId, now }) as const;

const chargeRequested: ChargeRequested = { type: "ChargeRequested", intent, token: "tok_visa", at: now };
const completed: PaymentCompleted = {
  type: "com.example.payment.completed",
  data: { ...base, method: "credit_card", transactionId: "txn_1", ...fulfilment },
  chargeId: "ch_1",
  at: now,
};
const failed = (code: string, charge: Partial<PaymentFailed> = {}): PaymentFailed => ({
  type: "com.example.payment.failed",
  data: { ...base, method: "credit_card", code },
  chargeId: null,
  transactionId: null,
  declineCode: null,
  ...charge,
  at: now,
});
const declinedFailure = failed("card_declined", { chargeId: "ch_1", declineCode: "card_declined" });
const escalated = (reason: PaymentEscalated["data"]["reason"], detail: string): PaymentEscalated => ({
  type: "com.example.payment.escalated",
  data: { ...base, reason, detail },
  at: now,
});
const refundRequested = (reason: "out_of_stock" | "reservation_expired" = "out_of_stock"): RefundRequested => ({
  type: "RefundRequested",
  idempotencyKey: `refund-${orderId}`,
  chargeId: "ch_1",
  amount: order.totalAmount,
  reason,
  at: now,
});
const refunded = (reason: "out_of_stock" | "reservation_expired" = "out_of_stock"): PaymentRefunded => ({
  type: "com.example.payment.refunded",
  data: { ...base, refundId: "re_1", reason },
  at: now,
});

const paid: PaymentEvent[] = [chargeRequested, completed];
const refunding: PaymentEvent[] = [...paid, refundRequested()];

describe("payment: order.created", () => {
  test("given no payment, the charge is requested once, with the key fixed per order and what payment.completed will carry", () => {
    spec.given([]).when(orderCreated()).then([chargeRequested]);
    spec.given([]).when(orderCreated()).thenState({ status: "charging", intent, lookups: 0 });
  });
  test("given a payment still charging, the same charge is asked for again (same intent, same key)", () => {
    spec.given([chargeRequested]).when(orderCreated("pay_2")).then([chargeRequested]);
  });
  test("a payment recorded before the items were kept gets them from the order", () => {
    spec.given({ state: { status: "charging", intent: { ...intent, fulfilment: null }, lookups: 1 } }).when(orderCreated("pay_2")).then([chargeRequested]);
  });
  test.each([
    ["completed", paid],
    ["failed", [chargeRequested, declinedFailure]],
    ["refunding", refunding],
    ["refunded", [...refunding, refunded()]],
    ["needing attention", [chargeRequested, escalated("charge_unresolved", "x")]],
  ] as const)("a second order.created for a %s payment is nothing", (_, history) => {
    spec.given([...history]).when(orderCreated("pay_2")).thenNothing();
  });
});

describe("payment: the gateway's charge answer (from the call or a lookup)", () => {
  test("a success completes the payment; payment.completed carries the items and the address", () => {
    spec.given([chargeRequested]).when(succeeded).then([completed]);
    spec.given([chargeRequested]).when(succeeded).thenState({ status: "completed", intent, chargeId: "ch_1" });
  });
  test("a decline fails the payment with the gateway's code, or 'declined' without one", () => {
    spec.given([chargeRequested]).when(declined).then([declinedFailure]);
    spec.given([chargeRequested]).when(declined).thenState({ status: "failed", intent });
    spec.given([chargeRequested]).when(answered({ status: "declined" })).then([failed("declined", { chargeId: "ch_1" })]);
  });
  test("a success without a transaction id is refused", () => {
    spec.given([chargeRequested]).when(answered({})).thenRejects("payment.charge_without_transaction");
  });
  test("charged, but without the items and address on record: a person must look", () => {
    const legacy = { status: "charging", intent: { ...intent, fulfilment: null }, lookups: 0 } as const;
    spec.given({ state: legacy }).when(succeeded).then([escalated("charge_unresolved", "charged (ch_1), but the order's items and address were not kept with the payment")]);
  });
  test.each([
    ["no", []],
    ["a completed", paid],
    ["a failed", [chargeRequested, declinedFailure]],
  ] as const)("an answer for %s payment is nothing", (_, history) => {
    spec.given([...history]).when(succeeded).thenNothing();
    spec.given([...history]).when(declined).thenNothing();
    spec.given([...history]).when({ type: "ChargeNotFound", now }).thenNothing();
    spec.given([...history]).when(lookupFailed).thenNothing();
  });
});

describe("payment: a charge the gateway refused for good never stays charging", () => {
  test("a refused request fails the payment with the gateway's code: nothing was charged", () => {
    spec.given([chargeRequested]).when({ type: "ChargeRefused", failure: refused("gateway.invalid_request"), now }).then([failed("gateway.invalid_request")]);
  });
  test("a key that names another charge: money may have moved under it, so a person must look", () => {
    spec
      .given([chargeRequested])
      .when({ type: "ChargeRefused", failure: refused("gateway.idempotency_mismatch"), now })
      .then([escalated("charge_conflict", "gateway.idempotency_mismatch: refused")]);
  });
});

describe("payment: the reconciler's lookup of a stale charge", () => {
  test("no charge under the key: it was never made, the payment fails (not_charged)", () => {
    spec.given([chargeRequested]).when({ type: "ChargeNotFound", now }).then([failed("not_charged")]);
  });
  test("the gateway cannot tell: look again after a backoff, counting the lookups", () => {
    const deferred = { type: "LookupDeferred", lookups: 1, lastError: "gateway.timeout: no answer", retryAt: later(1000), at: now } as const;
    spec.given([chargeRequested]).when(lookupFailed).then([deferred]);
    spec.given([chargeRequested, deferred]).when(lookupFailed).then([{ ...deferred, lookups: 2, retryAt: later(1500) }]);
    spec.given([chargeRequested, deferred]).when(lookupFailed).thenState({ status: "charging", intent, lookups: 2 });
  });
  test("still unknown after maxAttempts lookups: payment.escalated (charge_unresolved), the payment needs attention", () => {
    const state = { status: "charging", intent, lookups: 2 } as const;
    spec.given({ state }).when(lookupFailed).then([escalated("charge_unresolved", "3 lookups, the last: gateway.timeout: no answer")]);
    spec.given({ state }).when(lookupFailed).thenState({ status: "needs_attention", intent, reason: "charge_unresolved" });
  });
});

describe("payment: compensation (stock.insufficient, stock.released)", () => {
  test("a completed payment's refund is recorded under the key fixed per order, with the cause as reason", () => {
    spec.given(paid).when(stock("StockInsufficient")).then([refundRequested("out_of_stock")]);
    spec.given(paid).when(stock("StockReleased")).then([refundRequested("reservation_expired")]);
    spec.given(paid).when(stock("StockReleased")).thenState({
      status: "refunding", intent, chargeId: "ch_1", refund: { idempotencyKey: `refund-${orderId}`, reason: "reservation_expired", attempts: 0 },
    });
  });
  test("the gateway's refund → payment.refunded with the recorded reason, and the payment is refunded", () => {
    spec.given([...paid, refundRequested("reservation_expired")]).when(refundAnswered).then([refunded("reservation_expired")]);
    spec.given(refunding).when(refundAnswered).thenState({ status: "refunded", intent });
  });
  test.each([
    ["refunding", refunding],
    ["refunded", [...refunding, refunded()]],
    ["needing attention", [...refunding, escalated("refund_failed", "x")]],
  ] as const)("a second cause for a %s payment asks for nothing more", (_, history) => {
    spec.given([...history]).when(stock("StockInsufficient")).thenNothing();
    spec.given([...history]).when(stock("StockReleased")).thenNothing();
  });
  test.each([
    ["a failed", [chargeRequested, declinedFailure]],
    ["an unknown", []],
    ["a still charging", [chargeRequested]],
  ] as const)("%s payment has nothing to refund", (_, history) => {
    spec.given([...history]).when(stock("StockInsufficient")).thenRejects("payment.nothing_to_refund");
    spec.given([...history]).when(stock("StockReleased")).thenRejects("payment.nothing_to_refund");
    spec.given([...history]).when(refundAnswered).thenNothing();
  });
  test("decides on the state as loaded, without its history", () => {
    spec.given({ state: { status: "completed", intent, chargeId: "ch_1" } }).when(stock("StockInsufficient")).then([refundRequested("out_of_stock")]);
  });
});

describe("payment: a refund that fails is retried, then surfaced, never forgotten", () => {
  test("a retryable failure: tried again after a backoff, counting the attempts", () => {
    const deferred = { type: "RefundDeferred", attempts: 1, lastError: "gateway.timeout: no answer", retryAt: later(1000), at: now } as const;
    spec.given(refunding).when(refundFailed()).then([deferred]);
    spec.given([...refunding, deferred]).when(refundFailed()).then([{ ...deferred, attempts: 2, retryAt: later(1500) }]);
  });
  test("after maxAttempts: payment.escalated (refund_failed), with what the gateway said last", () => {
    const deferred = (attempts: number) => ({ type: "RefundDeferred", attempts, lastError: "x", retryAt: now, at: now }) as const;
    spec.given([...refunding, deferred(1), deferred(2)]).when(refundFailed()).then([escalated("refund_failed", "3 attempts, the last: gateway.timeout: no answer")]);
    spec.given([...refunding, deferred(1), deferred(2)]).when(refundFailed()).thenState({ status: "needs_attention", intent, reason: "refund_failed" });
  });
  test("a refund the gateway refused for good is surfaced at once", () => {
    spec.given(refunding).when(refundFailed(refused("gateway.unknown_charge"))).then([escalated("refund_failed", "1 attempts, the last: gateway.unknown_charge: refused")]);
  });
  test("a late failure or answer for a refund already settled changes nothing", () => {
    spec.given([...refunding, refunded()]).when(refundFailed()).thenNothing();
    spec.given([...refunding, refunded()]).when(refundAnswered).thenNothing();
  });
});

test("an escalation's detail is one line of plain text, at most 300 code points", () => {
  expect(plainLine("bad\u0000news\u202e here\n")).toBe("bad news here");
  expect(Array.from(plainLine("🙂".repeat(400)))).toHaveLength(300);
  expect(plainLine("\u0007")).toBe("no detail");
});
