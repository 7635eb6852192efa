import { describe, test } from "bun:test";
import { dataFor, deciderSpec, testAddress, testTime } from "../../../lib/testing/index.ts";
import type { Charge } from "../../../lib/payment-gateway/index.ts";
import { paymentDecider } from "./payment.ts";
import type { ChargeRequested, PaymentCompleted, PaymentFailed, PaymentIntent, PaymentRefunded } from "./types.ts";

const spec = deciderSpec(paymentDecider);
const orderId = "o-1";
const now = testTime;
const order = dataFor("com.example.order.created", orderId, { items: [{ productId: "sku-1", quantity: 2, unitPrice: 1000 }] });

const intent: PaymentIntent = {
  paymentId: "pay_1",
  orderId,
  userId: order.userId,
  idempotencyKey: `pay-${orderId}`,
  amount: order.totalAmount,
  currency: "JPY",
  method: "credit_card",
};
const base = { paymentId: "pay_1", orderId, userId: order.userId, amount: order.totalAmount, currency: "JPY" };

const orderCreated = (paymentId = "pay_1") => ({ type: "OrderCreated", order, paymentId, now }) as const;
const answered = (charge: Partial<Charge>) =>
  ({ type: "ChargeAnswered", order, charge: { chargeId: "ch_1", orderId, amount: order.totalAmount, currency: "JPY", status: "succeeded", ...charge }, now }) as const;
const succeeded = answered({ transactionId: "txn_1" });
const declined = answered({ status: "declined", declineCode: "card_declined" });
const refundAnswered = { type: "RefundAnswered", refund: { refundId: "re_1", chargeId: "ch_1", amount: order.totalAmount }, reason: "out_of_stock", now } as const;

const chargeRequested: ChargeRequested = { type: "ChargeRequested", intent, token: "tok_visa", at: now };
const completed: PaymentCompleted = {
  type: "com.example.payment.completed",
  data: { ...base, method: "credit_card", transactionId: "txn_1", items: [{ productId: "sku-1", quantity: 2 }], shippingAddress: testAddress },
  chargeId: "ch_1",
  at: now,
};
const failed: PaymentFailed = {
  type: "com.example.payment.failed",
  data: { ...base, method: "credit_card", code: "card_declined" },
  chargeId: "ch_1",
  transactionId: null,
  declineCode: "card_declined",
  at: now,
};
const refunded: PaymentRefunded = { type: "com.example.payment.refunded", data: { ...base, refundId: "re_1", reason: "out_of_stock" }, at: now };

describe("payment: order.created", () => {
  test("given no payment, the charge is requested once, with the key fixed per order", () => {
    spec.given([]).when(orderCreated()).then([chargeRequested]);
    spec.given([]).when(orderCreated()).thenState({ status: "charging", intent });
  });
  test("given a payment still charging, the same charge is asked for again (same intent, same key)", () => {
    spec.given([chargeRequested]).when(orderCreated("pay_2")).then([chargeRequested]);
  });
  test.each([
    ["completed", [chargeRequested, completed]],
    ["failed", [chargeRequested, failed]],
    ["refunded", [chargeRequested, completed, refunded]],
  ] as const)("a second order.created for a %s payment is nothing", (_, history) => {
    spec.given([...history]).when(orderCreated("pay_2")).thenNothing();
  });
});

describe("payment: the gateway's charge answer", () => {
  test("a success completes the payment; payment.completed carries the items and the address", () => {
    spec.given([chargeRequested]).when(succeeded).then([completed]);
    spec.given([chargeRequested]).when(succeeded).thenState({ status: "completed", intent, chargeId: "ch_1" });
  });
  test("a decline fails the payment with the gateway's code", () => {
    spec.given([chargeRequested]).when(declined).then([failed]);
    spec.given([chargeRequested]).when(declined).thenState({ status: "failed", intent });
  });
  test("a decline without a code fails with 'declined'", () => {
    const uncoded = { ...failed, data: { ...failed.data, code: "declined" }, declineCode: null };
    spec.given([chargeRequested]).when(answered({ status: "declined" })).then([uncoded]);
  });
  test("a success without a transaction id is refused", () => {
    spec.given([chargeRequested]).when(answered({})).thenRejects("payment.charge_without_transaction");
  });
  test.each([
    ["no", []],
    ["a completed", [chargeRequested, completed]],
    ["a failed", [chargeRequested, failed]],
  ] as const)("an answer for %s payment is nothing", (_, history) => {
    spec.given([...history]).when(succeeded).thenNothing();
    spec.given([...history]).when(declined).thenNothing();
  });
});

describe("payment: compensation (stock.insufficient, stock.released)", () => {
  const refundRequested = (reason: "out_of_stock" | "reservation_expired") =>
    ({ type: "RefundRequested", idempotencyKey: `refund-${orderId}`, chargeId: "ch_1", amount: order.totalAmount, reason }) as const;

  test("a completed payment is refunded under the key fixed per order, with the cause as reason", () => {
    spec.given([chargeRequested, completed]).when({ type: "StockInsufficient", orderId }).then([refundRequested("out_of_stock")]);
    spec.given([chargeRequested, completed]).when({ type: "StockReleased", orderId }).then([refundRequested("reservation_expired")]);
  });
  test("the gateway's refund → payment.refunded, and the payment is refunded", () => {
    spec.given([chargeRequested, completed, refundRequested("out_of_stock")]).when(refundAnswered).then([refunded]);
    spec.given([chargeRequested, completed]).when(refundAnswered).thenState({ status: "refunded", intent });
  });
  test("refund twice (a redelivery, or both causes) → nothing", () => {
    spec.given([chargeRequested, completed, refunded]).when({ type: "StockInsufficient", orderId }).thenNothing();
    spec.given([chargeRequested, completed, refunded]).when({ type: "StockReleased", orderId }).thenNothing();
    spec.given([chargeRequested, completed, refunded]).when(refundAnswered).thenNothing();
  });
  test.each([
    ["a failed", [chargeRequested, failed]],
    ["an unknown", []],
    ["a still charging", [chargeRequested]],
  ] as const)("%s payment has nothing to refund", (_, history) => {
    spec.given([...history]).when({ type: "StockInsufficient", orderId }).thenRejects("payment.nothing_to_refund");
    spec.given([...history]).when({ type: "StockReleased", orderId }).thenRejects("payment.nothing_to_refund");
    spec.given([...history]).when(refundAnswered).thenNothing();
  });
  test("decides on the state as loaded, without its history", () => {
    spec.given({ state: { status: "completed", intent, chargeId: "ch_1" } }).when({ type: "StockInsufficient", orderId }).then([refundRequested("out_of_stock")]);
  });
});
