import type { Decider, Decision } from "../../../lib/domain/index.ts";
import type { DataOf, EventOf } from "../../../lib/events/index.ts";

/**
 * An order, as far as shipping knows: nothing decided yet, shipped (one shipment per order), or
 * refused (it will never ship). Shipping is the one place that decides between shipping a
 * reservation and letting it expire, so an order is never both shipped and refunded.
 */
export type ShipmentState = { status: "none" } | { status: "shipped"; shipmentId: string } | { status: "refused" };

/** A reservation to ship; `now` and a fresh id come from the handler, so the decision stays pure. */
export type ArrangeShipment = { type: "arrange-shipment"; reservation: EventOf<"com.example.stock.reserved">; now: Date; newId: string };
/** Inventory asks about a reservation whose hold ran out with no shipment recorded. */
export type SettleExpiry = { type: "settle-expiry"; expiry: DataOf<"com.example.stock.expired">; now: Date };
export type ShippingInput = ArrangeShipment | SettleExpiry;

/** Published as shipment.created; the reservation and the time are kept on the shipment row. */
export type ShipmentCreated = { type: "com.example.shipment.created"; data: DataOf<"com.example.shipment.created">; reservationId: string; at: Date };
/** Published as shipment.refused, and kept as the order's refusal: it will never ship. */
export type ShipmentRefused = { type: "com.example.shipment.refused"; data: DataOf<"com.example.shipment.refused">; at: Date };
export type ShippingEvent = ShipmentCreated | ShipmentRefused;

const carrier = "yamato";

export const shippingDecider: Decider<ShipmentState, ShippingInput, ShippingEvent> = {
  decide: (input, state) => (input.type === "arrange-shipment" ? arrangeShipment(input, state) : settleExpiry(input, state)),
  evolve: (_state, event) => (event.type === "com.example.shipment.created" ? { status: "shipped", shipmentId: event.data.shipmentId } : { status: "refused" }),
  initialState: () => ({ status: "none" }),
};

/**
 * One shipment per order. A reservation whose time has run out is refused for good (a late
 * delivery, a backlog after an outage): inventory gives its stock back, payment refunds and the
 * order is cancelled (docs/architecture.md#saga-and-compensation). Decided already: nothing.
 */
function arrangeShipment({ reservation, now, newId }: ArrangeShipment, state: ShipmentState): Decision<ShippingEvent> {
  if (state.status !== "none") return [];
  const { orderId, userId, reservationId, shippingAddress, expiresAt } = reservation.data;
  if (new Date(expiresAt) <= now) return [refused({ orderId, userId, reservationId }, now)];
  const data = { shipmentId: `shp_${newId}`, orderId, userId, carrier, trackingNumber: trackingNumberFor(orderId), shippingAddress };
  return [{ type: "com.example.shipment.created", data, reservationId, at: now }];
}

/**
 * The expiry wins only over an order shipping has not decided: refused, so the stock goes back. A
 * shipped order stays shipped (its shipment.created commits the stock at inventory); a refused one
 * was answered already. A stock.reserved that comes later finds the refusal and ships nothing.
 */
function settleExpiry({ expiry, now }: SettleExpiry, state: ShipmentState): Decision<ShippingEvent> {
  if (state.status !== "none") return [];
  const { orderId, userId, reservationId } = expiry;
  return [refused({ orderId, userId, reservationId }, now)];
}

function refused(reservation: { orderId: string; userId: string; reservationId: string }, at: Date): ShipmentRefused {
  return { type: "com.example.shipment.refused", data: { ...reservation, reason: "reservation_expired" }, at };
}

/** A 12-digit number derived from the order: stable across retries, like a carrier's label. */
export function trackingNumberFor(orderId: string): string {
  const digest = new Bun.CryptoHasher("sha256").update(orderId).digest();
  return (digest.readBigUInt64BE(0) % 10n ** 12n).toString().padStart(12, "0");
}
