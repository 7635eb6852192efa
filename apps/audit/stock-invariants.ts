import type { AuditState } from "./audit-state.ts";
import { type Breach, breachOf } from "./breach.ts";

/** Reservations in these statuses hold their units (`expiring`: shipping is settling it). */
const holding = new Set(["reserved", "expiring"]);

/**
 * At most one reservation per order holds stock, and none once the order has ended: a shipped
 * order's stock has left (`shipped`), a cancelled one's was given back (`expired`) or never held,
 * and an order that needs attention never got that far (its charge never settled) or was given
 * back before its refund failed.
 */
export function oneActiveReservation(state: AuditState): Breach[] {
  const breach = breachOf("one-active-reservation");
  const active = new Map<string, number>();
  for (const reservation of state.reservations) {
    if (holding.has(reservation.status)) active.set(reservation.orderId, (active.get(reservation.orderId) ?? 0) + 1);
  }
  const ends = new Set(["shipped", "cancelled", "needs_attention"]);
  const ended = new Map(state.orders.filter((o) => ends.has(o.status)).map((o) => [o.id, o.status]));
  return [...active].flatMap(([orderId, holding]) => [
    ...(holding > 1 ? [breach(`order ${orderId}`, `${holding} active reservations`, "at most 1")] : []),
    ...(ended.has(orderId) ? [breach(`order ${orderId}`, `an active reservation on a ${ended.get(orderId)} order`, "none once the order has ended")] : []),
  ]);
}

/**
 * Stock is conserved as far as the data can tell. Inventory keeps no history of the shelf, so
 * "initial − shipped = available" cannot be checked; what the books do promise
 * (apps/inventory/store/stock.ts) is checked instead:
 * - `reserved` is exactly the units held by reservations in status `reserved` or `expiring`
 *   (holding adds to it, shipping and a release take from it, nothing else touches it);
 * - 0 ≤ reserved ≤ available (never oversold);
 * - no reservation is `shipped_unbacked`: its units shipped after expiry with no free stock to
 *   take them from, so the books show more shipped than the shelf held.
 */
export function stockConserved(state: AuditState): Breach[] {
  const breach = breachOf("stock-conserved");
  const held = new Map<string, number>();
  const breaches: Breach[] = [];
  for (const reservation of state.reservations) {
    for (const item of reservation.items) {
      if (holding.has(reservation.status)) held.set(item.productId, (held.get(item.productId) ?? 0) + item.quantity);
      if (reservation.status === "shipped_unbacked") {
        breaches.push(breach(`product ${item.productId}`, `${item.quantity} shipped unbacked for order ${reservation.orderId}`, "every shipped unit taken from stock"));
      }
    }
  }
  const known = new Set(state.products.map((product) => product.productId));
  for (const { productId, available, reserved } of state.products) {
    const holding = held.get(productId) ?? 0;
    if (reserved !== holding) breaches.push(breach(`product ${productId}`, `reserved ${reserved}`, `${holding}, the units its active reservations hold`));
    if (reserved < 0 || reserved > available) breaches.push(breach(`product ${productId}`, `reserved ${reserved} of available ${available}`, "0 ≤ reserved ≤ available"));
  }
  for (const [productId, holding] of held) {
    if (!known.has(productId)) breaches.push(breach(`product ${productId}`, `${holding} held with no stock row`, "a stock row for every product held"));
  }
  return breaches;
}
