import * as v from "valibot";
import { domainEventSchema, id, productQuantity, shippingAddress, stockLevel, timestamp } from "./envelope.ts";
import { boundedList } from "./lists.ts";

/**
 * Carries the shipping address again, so that shipping never asks order for it (see payment.ts).
 * Its items are one per product, so a quantity may be several of the order's lines added up.
 */
export const stockReserved = domainEventSchema(
  "com.example.stock.reserved",
  v.object({
    reservationId: id,
    orderId: id,
    userId: id,
    items: boundedList(v.object({ productId: id, quantity: productQuantity, warehouseId: id })),
    expiresAt: timestamp,
    shippingAddress,
  }),
);

export const stockInsufficient = domainEventSchema(
  "com.example.stock.insufficient",
  v.object({
    orderId: id,
    userId: id,
    missing: boundedList(v.object({ productId: id, requested: productQuantity, available: stockLevel })),
  }),
);

/**
 * A reservation gave its stock back without a shipment: it ran out of time and shipping refused it
 * (shipment.refused), and stock held forever would be lost to every other order
 * (docs/architecture.md#saga-and-compensation).
 */
export const stockReleased = domainEventSchema(
  "com.example.stock.released",
  v.object({
    reservationId: id,
    orderId: id,
    userId: id,
    items: boundedList(v.object({ productId: id, quantity: productQuantity })),
    reason: v.picklist(["expired"]),
  }),
);

/**
 * A reservation outlived its hold (`expiresAt` and the grace) with no shipment recorded. Not a
 * release: shipping alone knows whether it shipped, so it decides. It answers shipment.refused
 * (then the stock goes back) unless it already shipped (its shipment.created is on its way).
 */
export const stockExpired = domainEventSchema(
  "com.example.stock.expired",
  v.object({ reservationId: id, orderId: id, userId: id, expiresAt: timestamp }),
);

export type StockReserved = v.InferOutput<typeof stockReserved>;
export type StockInsufficient = v.InferOutput<typeof stockInsufficient>;
export type StockReleased = v.InferOutput<typeof stockReleased>;
export type StockExpired = v.InferOutput<typeof stockExpired>;
