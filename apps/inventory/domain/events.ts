import { type DataOf, isEventType } from "../../../lib/events/index.ts";
import type { Line } from "./state.ts";

type Emits = "com.example.stock.reserved" | "com.example.stock.insufficient" | "com.example.stock.released" | "com.example.stock.expired";

/**
 * What inventory tells the other services. The decider gives the type and `data`; the handler
 * wraps them in the envelope (id, time, causation) when it enqueues them.
 */
export type PublishedEvent = { [T in Emits]: { type: T; data: DataOf<T> } }[Emits];

/**
 * A shipment took its units. From the reservation while it held them; after it expired, from free
 * stock, item by item, and what free stock could not cover is `unbacked` (status
 * shipped_unbacked). Nobody else needs to hear it: shipping already said it shipped.
 */
export type ShipmentCommitted = {
  type: "inventory.shipment.committed";
  reservationId: string;
  orderId: string;
  status: "shipped" | "shipped_unbacked";
  fromReserved: Line[];
  fromFree: Line[];
  unbacked: Line[];
};

export type InventoryEvent = PublishedEvent | ShipmentCommitted;

export function isPublished(event: InventoryEvent): event is PublishedEvent {
  return isEventType(event.type);
}
