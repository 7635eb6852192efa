import * as v from "valibot";
import { domainEventSchema, id, shippingAddress } from "./envelope.ts";

export const shipmentCreated = domainEventSchema(
  "com.example.shipment.created",
  v.object({ shipmentId: id, orderId: id, userId: id, carrier: id, trackingNumber: id, shippingAddress }),
);

export type ShipmentCreated = v.InferOutput<typeof shipmentCreated>;
