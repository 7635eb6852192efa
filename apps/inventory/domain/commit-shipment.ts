import type { DataOf } from "../../../lib/events/index.ts";
import { type Decision, reject } from "../../../lib/domain/index.ts";
import type { InventoryEvent } from "./events.ts";
import { freeStock, type InventoryState, type Line, type Reservation } from "./state.ts";

export type CommitShipment = { type: "commit-shipment"; shipment: DataOf<"com.example.shipment.created"> };

/**
 * shipment.created → the units have left the warehouse, and the reservation can no longer expire.
 * Held (reserved, or expiring while shipping settles it): `available` and `reserved` both drop.
 * Released before shipping decided expiries (status expired): the units come out of free stock;
 * what free stock cannot cover leaves the reservation shipped_unbacked, for a person to reconcile.
 * Already shipped: a second shipment event for the order, nothing to do.
 */
export function commitShipment(input: CommitShipment, state: InventoryState): Decision<InventoryEvent> {
  const { orderId } = input.shipment;
  const reservation = state.reservations.get(orderId);
  if (!reservation) return reject("inventory.no_reservation", `shipment.created for order ${orderId}, which has no reservation`);
  switch (reservation.status) {
    case "reserved":
    case "expiring":
      // Still held: shipping asked to settle an expiring one had shipped it already.
      return [committed(reservation, { fromReserved: lines(reservation.items), fromFree: [], unbacked: [] })];
    case "expired":
      return [committed(reservation, fromFreeStock(reservation, state))];
    case "shipped":
    case "shipped_unbacked":
      return [];
    default: {
      const unreachable: never = reservation.status;
      return unreachable;
    }
  }
}

type Sources = { fromReserved: Line[]; fromFree: Line[]; unbacked: Line[] };

function committed(reservation: Reservation, sources: Sources): InventoryEvent {
  const status = sources.unbacked.length > 0 ? "shipped_unbacked" : "shipped";
  return { type: "inventory.shipment.committed", reservationId: reservation.id, orderId: reservation.orderId, status, ...sources };
}

/** Item by item: an item is taken whole from free stock, or not at all. */
function fromFreeStock(reservation: Reservation, state: InventoryState): Sources {
  const taken = new Map<string, number>();
  const sources: Sources = { fromReserved: [], fromFree: [], unbacked: [] };
  for (const line of lines(reservation.items)) {
    const left = freeStock(state, line.productId) - (taken.get(line.productId) ?? 0);
    if (left < line.quantity) {
      sources.unbacked.push(line);
      continue;
    }
    taken.set(line.productId, (taken.get(line.productId) ?? 0) + line.quantity);
    sources.fromFree.push(line);
  }
  return sources;
}

const lines = (items: readonly Line[]): Line[] => items.map(({ productId, quantity }) => ({ productId, quantity }));
