import * as v from "valibot";
import { currency } from "./currencies.ts";
import { domainEventSchema, id, money, paymentMethod, quantity, shippingAddress } from "./envelope.ts";
import { boundedList } from "./lists.ts";

export const orderItem = v.object({ productId: id, quantity, unitPrice: money });
/** An order's lines: 1 to `maxLinesPerOrder`, the count checked before the lines themselves. */
export const orderLines = boundedList(orderItem);

/** The first event of every order. `payment` carries the method and card token the payment service needs. */
export const orderCreated = domainEventSchema(
  "com.example.order.created",
  v.object({
    orderId: id,
    userId: id,
    items: orderLines,
    totalAmount: money,
    currency,
    shippingAddress,
    payment: v.object({ method: paymentMethod, token: v.optional(id) }),
  }),
);

export const cancellationReason = v.picklist(["payment_failed", "out_of_stock", "reservation_expired"]);
export type CancellationReason = v.InferOutput<typeof cancellationReason>;

export const orderCancelled = domainEventSchema(
  "com.example.order.cancelled",
  v.object({ orderId: id, userId: id, reason: cancellationReason }),
);

export type OrderCreated = v.InferOutput<typeof orderCreated>;
export type OrderCancelled = v.InferOutput<typeof orderCancelled>;
