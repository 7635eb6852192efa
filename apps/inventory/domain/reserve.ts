import type { DataOf } from "../../../lib/events/index.ts";
import type { Decision } from "../../../lib/domain/index.ts";
import type { InventoryEvent } from "./events.ts";
import { freeStock, type InventoryState, type Line } from "./state.ts";

/** payment.completed, with what the handler supplies: the time, the reservation's lifetime and id. */
export type ReserveStock = {
  type: "reserve-stock";
  payment: DataOf<"com.example.payment.completed">;
  now: Date;
  ttlMs: number;
  reservationId: string;
};

/**
 * Every item or none. Each product must have `quantity` free (available − reserved); if any is
 * short, nothing is held and stock.insufficient names every short product with what is free, so
 * payment can refund. An order that already has a reservation gets nothing more: the payment was
 * delivered again under another id.
 */
export function reserveStock(input: ReserveStock, state: InventoryState): Decision<InventoryEvent> {
  const { orderId, userId, shippingAddress } = input.payment;
  if (state.reservations.has(orderId)) return [];
  const lines = mergeByProduct(input.payment.items);
  const missing = lines
    .filter((line) => freeStock(state, line.productId) < line.quantity)
    .map(({ productId, quantity }) => ({ productId, requested: quantity, available: freeStock(state, productId) }));
  if (missing.length > 0) return [{ type: "com.example.stock.insufficient", data: { orderId, userId, missing } }];

  const items = lines.map((line) => ({ ...line, warehouseId: state.products.get(line.productId)!.warehouseId }));
  const expiresAt = new Date(input.now.getTime() + input.ttlMs).toISOString();
  return [{ type: "com.example.stock.reserved", data: { reservationId: input.reservationId, orderId, userId, items, expiresAt, shippingAddress } }];
}

/**
 * One line per product (two lines of the same product must fit together), in a fixed order, so
 * that the same order always yields the same reservation and the same writes.
 */
export function mergeByProduct(items: readonly Line[]): Line[] {
  const merged = new Map<string, number>();
  for (const { productId, quantity } of items) merged.set(productId, (merged.get(productId) ?? 0) + quantity);
  return [...merged.keys()].sort().map((productId) => ({ productId, quantity: merged.get(productId)! }));
}
