import * as v from "valibot";
import { boundedList, currency, id, money, paymentMethod, quantity, shippingAddress } from "../../../lib/events/index.ts";

/** The customer's lines: `unitPrice` is optional, and only ever checked against the catalogue. */
const requestedLine = v.object({ productId: id, quantity, unitPrice: v.optional(money) });

/** The body of POST /orders. No `userId`: the order belongs to the token's `sub` (an extra field is ignored). */
export const placeOrderBody = v.object({
  items: boundedList(requestedLine),
  currency,
  shippingAddress,
  payment: v.object({ method: paymentMethod, token: v.optional(id) }),
});

export type PlaceOrder = v.InferOutput<typeof placeOrderBody>;
