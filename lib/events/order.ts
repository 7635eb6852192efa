import * as v from "valibot";
import { currency, domainEventSchema, id, money, paymentMethod, quantity, shippingAddress } from "./envelope.ts";

export const orderItem = v.object({ productId: id, quantity, unitPrice: money });

/** The first event of every order. `payment` carries the method and card token the payment service needs. */
export const orderCreated = domainEventSchema(
  "com.example.order.created",
  v.object({
    orderId: id,
    userId: id,
    items: v.pipe(v.array(orderItem), v.minLength(1), v.maxLength(100)),
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
