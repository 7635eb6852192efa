/** One product's stock as loaded: what the warehouse holds, and how much of it orders have claimed. */
export type Stock = { productId: string; warehouseId: string; available: number; reserved: number };

export type Line = { productId: string; quantity: number };
export type ReservedItem = Line & { warehouseId: string };

/**
 * `reserved` holds stock until `expiresAt`; then `shipped` (the stock left the warehouse), or
 * `expiring` (its hold ran out and shipping was asked to settle it: the stock is still held) and
 * then `shipped` or `expired` (given back, once shipping refused it). Only shipping decides
 * between shipping and expiry, so no shipped order's stock is given back. A shipment recorded after
 * a release made before that rule (status `expired`) that found no free stock to take is
 * `shipped_unbacked`: the books show more shipped than held, and a person must count the shelf.
 */
export type ReservationStatus = "reserved" | "expiring" | "shipped" | "expired" | "shipped_unbacked";

/** The statuses in which a reservation holds its units (`reserved` counts them). */
export const holdingStatuses: readonly ReservationStatus[] = ["reserved", "expiring"];

/** One reservation per order: a second one for the same order cannot exist. */
export type Reservation = {
  id: string;
  orderId: string;
  userId: string;
  items: ReservedItem[];
  status: ReservationStatus;
  expiresAt: Date;
};

/**
 * The part of inventory a decision needs, as a handler loaded it: stock by productId, reservations
 * by orderId. A product or reservation that was not loaded is simply absent, so one state can hold
 * one event's rows or a whole batch's.
 */
export type InventoryState = {
  products: ReadonlyMap<string, Stock>;
  reservations: ReadonlyMap<string, Reservation>;
};

/**
 * What can still be promised: `available - reserved`. Checking `available` alone would oversell
 * the units already held for other orders (docs/architecture.md#pitfalls-we-avoid). An unknown
 * product has none.
 */
export function freeStock(state: InventoryState, productId: string): number {
  const stock = state.products.get(productId);
  return stock ? stock.available - stock.reserved : 0;
}

/** A state from loaded rows (or a test's). */
export function inventoryOf(products: readonly Stock[] = [], reservations: readonly Reservation[] = []): InventoryState {
  return {
    products: new Map(products.map((stock) => [stock.productId, stock])),
    reservations: new Map(reservations.map((reservation) => [reservation.orderId, reservation])),
  };
}
