import { processedEvents } from "../store/schema.ts";
import type { EventOf } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/event-webhook.ts";
import { claimEvent } from "../../../lib/outbox/enqueue.ts";
import type { InventoryDeps } from "../deps.ts";
import { findReservationForUpdate, setReservationStatus } from "../store/reservations.ts";
import { releaseReserved, takeFree } from "../store/stock.ts";

/**
 * shipment.created → the reserved units have left the warehouse: `available` and `reserved` both
 * drop, and the reservation can no longer expire. If it expired first (the shipment was recorded
 * late), the units are taken from free stock; when there is none, the reservation is marked
 * `shipped_unbacked` and logged as an error: the books show more shipped than held.
 */
export async function commitShipment(deps: InventoryDeps, event: EventOf<"com.example.shipment.created">): Promise<Outcome> {
  return deps.db.transaction(async (tx) => {
    if (!(await claimEvent(tx, processedEvents, event))) return "duplicate";
    const reservation = await findReservationForUpdate(tx, event.data.orderId);
    if (!reservation) {
      console.warn(`inventory: shipment.created for order ${event.data.orderId} without a reservation`);
      return "processed";
    }
    if (reservation.status === "reserved") {
      for (const item of reservation.items) await releaseReserved(tx, item.productId, item.quantity, { shipped: true });
      await setReservationStatus(tx, reservation.id, "shipped");
      return "processed";
    }
    if (reservation.status === "expired") {
      let backed = true;
      for (const item of reservation.items) backed = (await takeFree(tx, item.productId, item.quantity)) && backed;
      if (!backed) console.error(`inventory: order ${reservation.orderId} shipped after its reservation expired and the stock was gone: count the shelf`);
      await setReservationStatus(tx, reservation.id, backed ? "shipped" : "shipped_unbacked");
    }
    return "processed";
  });
}
