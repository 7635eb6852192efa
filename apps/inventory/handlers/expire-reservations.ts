import { defaultReservationGraceMs, type InventoryDeps } from "../deps.ts";
import { decideInTurn } from "../domain/inventory.ts";
import { inventoryOf } from "../domain/state.ts";
import { lockReservationsDue } from "../store/reservations.ts";
import { lockStock } from "../store/stock.ts";
import { applyDecided } from "./apply-decided.ts";

/**
 * Gives back the stock of reservations that were never shipped, and emits stock.released so that
 * payment refunds and the order is cancelled (docs/architecture.md#saga-and-compensation). One
 * transaction per batch: the release, the status and the events commit together. Returns how many
 * expired.
 */
export async function expireReservations(deps: InventoryDeps, batchSize = 100): Promise<number> {
  const now = deps.clock.now();
  const graceMs = deps.reservationGraceMs ?? defaultReservationGraceMs;
  return deps.db.transaction(async (tx) => {
    const due = await lockReservationsDue(tx, new Date(now.getTime() - graceMs), batchSize);
    const stock = await lockStock(tx, due.flatMap((reservation) => reservation.items.map((item) => item.productId)));
    const inputs = due.map(({ orderId }) => ({ type: "expire-reservation", orderId, now, graceMs }) as const);
    const decided = decideInTurn(inputs, inventoryOf(stock, due));
    await applyDecided(tx, deps, decided, { now });
    return decided.events.filter((event) => event.type === "com.example.stock.released").length;
  });
}

/** Sweeps now and then every `intervalMs` until stopped; a failed sweep is logged and retried. */
export function startReservationExpiry(deps: InventoryDeps, intervalMs = 30_000) {
  let running: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    running = (async () => {
      while ((await expireReservations(deps)) > 0);
    })().catch((error: unknown) => deps.log.error({ error }, "inventory: expiring reservations failed; will retry"));
  };
  const timer = setInterval(sweep, intervalMs);
  sweep();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
