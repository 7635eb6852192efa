import type { Decision } from "../../../lib/domain/index.ts";
import type { InventoryEvent } from "./events.ts";
import type { InventoryState } from "./state.ts";

/**
 * Time passed for one order's reservation. `graceMs` is how long after `expiresAt` inventory waits
 * for shipping to answer by itself (a shipment.created or a shipment.refused still being
 * delivered); `upSince` is when the sweeping process started: a process that was down did not hear
 * those answers yet, and they may be waiting in its backlog (docs/architecture.md#saga-and-compensation).
 */
export type ExpireReservation = { type: "expire-reservation"; orderId: string; now: Date; graceMs: number; upSince?: Date };

/**
 * A reservation still `reserved` once both `expiresAt` and `upSince` lie more than the grace in
 * the past is asked to expire: stock.expired, and the reservation is `expiring`. The stock is NOT
 * given back here: shipping alone knows whether it shipped, so it decides (shipment.refused gives
 * the stock back, release.ts; a shipment on its way commits it). Anything else (not yet due,
 * expiring already, shipped, released, unknown) changes nothing.
 */
export function expireReservation(input: ExpireReservation, state: InventoryState): Decision<InventoryEvent> {
  const reservation = state.reservations.get(input.orderId);
  if (reservation?.status !== "reserved") return [];
  const waitingSince = Math.max(reservation.expiresAt.getTime(), input.upSince?.getTime() ?? 0);
  if (waitingSince + input.graceMs >= input.now.getTime()) return [];
  const { id: reservationId, orderId, userId, expiresAt } = reservation;
  return [{ type: "com.example.stock.expired", data: { reservationId, orderId, userId, expiresAt: expiresAt.toISOString() } }];
}
