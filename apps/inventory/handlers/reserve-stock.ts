import type { EventOf } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/index.ts";
import { claimEvent } from "../../../lib/outbox/index.ts";
import { defaultReservationTtlMs, type InventoryDeps } from "../deps.ts";
import { decideInTurn } from "../domain/inventory.ts";
import { inventoryOf } from "../domain/state.ts";
import { findReservation, lockOrder } from "../store/reservations.ts";
import { processedEvents } from "../store/schema.ts";
import { lockStock } from "../store/stock.ts";
import { applyDecided } from "./apply-decided.ts";

/**
 * payment.completed → every item reserved, or none and stock.insufficient. The event id is
 * claimed first in the transaction, so a concurrent duplicate waits on the row and then stops
 * (docs/architecture.md#pitfalls-we-avoid). The order and its products are locked before the
 * decision, so what was decided still holds when it is written.
 */
export async function reserveStock(deps: InventoryDeps, event: EventOf<"com.example.payment.completed">): Promise<Outcome> {
  return deps.db.transaction(async (tx) => {
    if (!(await claimEvent(tx, processedEvents, event))) return "duplicate";
    const { orderId, items } = event.data;
    await lockOrder(tx, orderId);
    const reservation = await findReservation(tx, orderId, { lock: false });
    const stock = await lockStock(tx, items.map((item) => item.productId));
    const now = deps.clock.now();
    const ttlMs = deps.reservationTtlMs ?? defaultReservationTtlMs;
    const input = { type: "reserve-stock", payment: event.data, now, ttlMs, reservationId: `res_${deps.ids.next()}` } as const;
    await applyDecided(tx, deps, decideInTurn([input], inventoryOf(stock, reservation ? [reservation] : [])), { now, cause: event });
    return "processed";
  });
}
