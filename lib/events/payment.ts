import * as v from "valibot";
import { cancellationReason } from "./order.ts";
import { currency } from "./currencies.ts";
import { domainEventSchema, id, money, paymentMethod, quantity, shippingAddress } from "./envelope.ts";
import { boundedList } from "./lists.ts";
import { line } from "./text.ts";

/**
 * Carries `items` and `shippingAddress` as well as the charge: inventory and shipping act on them
 * and must not call the order service back (docs/architecture.md#events-and-topics: event-carried
 * state transfer keeps the flow asynchronous).
 */
export const paymentCompleted = domainEventSchema(
  "com.example.payment.completed",
  v.object({
    paymentId: id,
    orderId: id,
    userId: id,
    amount: money,
    currency,
    method: paymentMethod,
    transactionId: id,
    items: boundedList(v.object({ productId: id, quantity })),
    shippingAddress,
  }),
);

export const paymentFailed = domainEventSchema(
  "com.example.payment.failed",
  v.object({ paymentId: id, orderId: id, userId: id, amount: money, currency, method: paymentMethod, code: id }),
);

/** The saga's compensation: the charge was given back (stock ran out after payment). */
export const paymentRefunded = domainEventSchema(
  "com.example.payment.refunded",
  v.object({ paymentId: id, orderId: id, userId: id, amount: money, currency, refundId: id, reason: cancellationReason }),
);

/**
 * Why the saga cannot finish on its own: the gateway never said whether the charge happened
 * (`charge_unresolved`), the charge's key names another charge (`charge_conflict`), or the money
 * could not be given back (`refund_failed`).
 */
export const attentionReason = v.picklist(["charge_unresolved", "charge_conflict", "refund_failed"]);
export type AttentionReason = v.InferOutput<typeof attentionReason>;

/**
 * Payment gave up finishing the order by itself; a person must look (the order moves to
 * needs_attention). `detail` is the last thing the gateway said, for that person.
 */
export const paymentEscalated = domainEventSchema(
  "com.example.payment.escalated",
  v.object({ paymentId: id, orderId: id, userId: id, amount: money, currency, reason: attentionReason, detail: line(300) }),
);

export type PaymentCompleted = v.InferOutput<typeof paymentCompleted>;
export type PaymentFailed = v.InferOutput<typeof paymentFailed>;
export type PaymentRefunded = v.InferOutput<typeof paymentRefunded>;
export type PaymentEscalated = v.InferOutput<typeof paymentEscalated>;
