import type { EventOf, EventType } from "../../../lib/events/index.ts";
import { eventFields } from "../../../lib/log/index.ts";
import type { InventoryDeps } from "../deps.ts";
import type { Decided } from "../domain/inventory.ts";

/**
 * What a person must look at, logged as errors naming the event that caused it: a shipment that
 * free stock could not back (the shelf must be counted), and a refusal of an order that had
 * shipped. The one-by-one handlers and the batch handler log the same lines.
 */
export function alertOnDecided(deps: InventoryDeps, event: EventOf<EventType>, decided: Decided): void {
  for (const committed of decided.events) {
    if (committed.type === "inventory.shipment.committed" && committed.status === "shipped_unbacked") {
      deps.log.error({ ...eventFields(event), orderId: committed.orderId }, "inventory: shipped after its reservation expired and the stock was gone: count the shelf");
    }
  }
  for (const rejection of decided.rejections) {
    if (rejection.rejected === "inventory.shipped_and_refused") deps.log.error({ ...eventFields(event), ...rejection }, "inventory: shipping refused an order it had shipped");
  }
}
