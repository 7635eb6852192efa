import * as v from "valibot";
import { domainEventSchema, id, shippingAddress } from "./envelope.ts";

export const shipmentCreated = domainEventSchema(
  "com.example.shipment.created",
  v.object({ shipmentId: id, orderId: id, userId: id, carrier: id, trackingNumber: id, shippingAddress }),
);

/**
 * Shipping will never ship this order: its reservation ran out before it was shipped. Decided once
 * per order, in the same place as the shipment itself, so an order is shipped or refused, never
 * both; inventory then gives the stock back (stock.released) and payment refunds.
 */
export const shipmentRefused = domainEventSchema(
  "com.example.shipment.refused",
  v.object({ reservationId: id, orderId: id, userId: id, reason: v.picklist(["reservation_expired"]) }),
);

export type ShipmentCreated = v.InferOutput<typeof shipmentCreated>;
export type ShipmentRefused = v.InferOutput<typeof shipmentRefused>;
