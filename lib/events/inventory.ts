import * as v from "valibot";
import { domainEventSchema, id, quantity, shippingAddress, timestamp } from "./envelope.ts";

/** Carries the shipping address again, so that shipping never asks order for it (see payment.ts). */
export const stockReserved = domainEventSchema(
  "com.example.stock.reserved",
  v.object({
    reservationId: id,
    orderId: id,
    userId: id,
    items: v.pipe(v.array(v.object({ productId: id, quantity, warehouseId: id })), v.minLength(1)),
    expiresAt: timestamp,
    shippingAddress,
  }),
);

export const stockInsufficient = domainEventSchema(
  "com.example.stock.insufficient",
  v.object({
    orderId: id,
    userId: id,
    missing: v.array(v.object({ productId: id, requested: quantity, available: v.pipe(v.number(), v.integer()) })),
  }),
);

/**
 * A reservation gave its stock back without a shipment: it ran out of time, and stock held forever
 * would be lost to every other order (docs/architecture.md#saga-and-compensation).
 */
export const stockReleased = domainEventSchema(
  "com.example.stock.released",
  v.object({
    reservationId: id,
    orderId: id,
    userId: id,
    items: v.pipe(v.array(v.object({ productId: id, quantity })), v.minLength(1)),
    reason: v.picklist(["expired"]),
  }),
);

export type StockReserved = v.InferOutput<typeof stockReserved>;
export type StockInsufficient = v.InferOutput<typeof stockInsufficient>;
export type StockReleased = v.InferOutput<typeof stockReleased>;
