import { type Decider, type Decision, reject } from "../../../lib/domain/index.ts";
import type { DataOf, EventOf } from "../../../lib/events/index.ts";

/** An order's shipment, as far as shipping knows: none yet, or the one it has (one per order). */
export type ShipmentState = { status: "none" } | { status: "shipped"; shipmentId: string };

/** A reservation to ship; `now` and a fresh id come from the handler, so the decision stays pure. */
export type ArrangeShipment = { reservation: EventOf<"com.example.stock.reserved">; now: Date; newId: string };

/** Published as shipment.created; the reservation and the time are kept on the shipment row. */
export type ShipmentCreated = { type: "com.example.shipment.created"; data: DataOf<"com.example.shipment.created">; reservationId: string; at: Date };

const carrier = "yamato";

export const shippingDecider: Decider<ShipmentState, ArrangeShipment, ShipmentCreated> = {
  decide: decideShipment,
  evolve: (_state, created) => ({ status: "shipped", shipmentId: created.data.shipmentId }),
  initialState: () => ({ status: "none" }),
};

/**
 * One shipment per order. A reservation whose time has run out is refused: inventory gives its
 * stock back, payment refunds and the order is cancelled (docs/architecture.md#saga-and-compensation).
 */
function decideShipment({ reservation, now, newId }: ArrangeShipment, state: ShipmentState): Decision<ShipmentCreated> {
  if (state.status === "shipped") return [];
  const { orderId, userId, reservationId, shippingAddress, expiresAt } = reservation.data;
  if (new Date(expiresAt) <= now) {
    return reject("shipping.reservation_expired", `reservation ${reservationId} of order ${orderId} expired at ${expiresAt}; not shipped`);
  }
  const data = { shipmentId: `shp_${newId}`, orderId, userId, carrier, trackingNumber: trackingNumberFor(orderId), shippingAddress };
  return [{ type: "com.example.shipment.created", data, reservationId, at: now }];
}

/** A 12-digit number derived from the order: stable across retries, like a carrier's label. */
export function trackingNumberFor(orderId: string): string {
  const digest = new Bun.CryptoHasher("sha256").update(orderId).digest();
  return (digest.readBigUInt64BE(0) % 10n ** 12n).toString().padStart(12, "0");
}
