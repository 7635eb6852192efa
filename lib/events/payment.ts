import * as v from "valibot";
import { cancellationReason } from "./order.ts";
import { currency } from "./currencies.ts";
import { domainEventSchema, id, money, paymentMethod, quantity, shippingAddress } from "./envelope.ts";
import { boundedList } from "./lists.ts";

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

export type PaymentCompleted = v.InferOutput<typeof paymentCompleted>;
export type PaymentFailed = v.InferOutput<typeof paymentFailed>;
export type PaymentRefunded = v.InferOutput<typeof paymentRefunded>;
