import type { Decision } from "../../../lib/domain/index.ts";
import type { InventoryEvent } from "./events.ts";
import type { InventoryState } from "./state.ts";

/**
 * Time passed for one order's reservation. `graceMs` lets a shipment.created still on its way
 * arrive before the stock is given back (shipping refuses expired reservations, but its event may
 * lag): docs/architecture.md#saga-and-compensation.
 */
export type ExpireReservation = { type: "expire-reservation"; orderId: string; now: Date; graceMs: number };

/**
 * A reservation still held past `expiresAt` + grace gives its stock back: stock.released, reason
 * expired, so payment refunds and the order is cancelled. Anything else (not yet due, shipped,
 * already released, unknown) changes nothing.
 */
export function expireReservation(input: ExpireReservation, state: InventoryState): Decision<InventoryEvent> {
  const reservation = state.reservations.get(input.orderId);
  if (reservation?.status !== "reserved") return [];
  if (reservation.expiresAt.getTime() + input.graceMs >= input.now.getTime()) return [];
  const { id: reservationId, orderId, userId } = reservation;
  const items = reservation.items.map(({ productId, quantity }) => ({ productId, quantity }));
  return [{ type: "com.example.stock.released", data: { reservationId, orderId, userId, items, reason: "expired" } }];
}
