import { defaultReservationGraceMs, type InventoryDeps } from "../deps.ts";
import { decideInTurn } from "../domain/inventory.ts";
import { inventoryOf } from "../domain/state.ts";
import { lockReservationsDue } from "../store/reservations.ts";
import { applyDecided } from "./apply-decided.ts";

/**
 * Asks shipping to settle the reservations whose hold ran out with no shipment recorded:
 * stock.expired, and the reservation is `expiring` (domain/expire.ts). Shipping answers
 * shipment.refused, which gives the stock back, unless it shipped the order already. One
 * transaction per batch: the statuses and the events commit together. `upSince` is when this
 * process started sweeping (nothing is due before it has been up for the grace). Returns how many
 * it asked about.
 */
export async function expireReservations(deps: InventoryDeps, options: { batchSize?: number; upSince?: Date } = {}): Promise<number> {
  const now = deps.clock.now();
  const graceMs = deps.reservationGraceMs ?? defaultReservationGraceMs;
  const { batchSize = 100, upSince } = options;
  if (upSince && upSince.getTime() + graceMs >= now.getTime()) return 0;
  return deps.db.transaction(async (tx) => {
    const due = await lockReservationsDue(tx, new Date(now.getTime() - graceMs), batchSize);
    const inputs = due.map(({ orderId }) => ({ type: "expire-reservation", orderId, now, graceMs, upSince }) as const);
    const decided = decideInTurn(inputs, inventoryOf([], due));
    await applyDecided(tx, deps, decided, { now });
    return decided.events.filter((event) => event.type === "com.example.stock.expired").length;
  });
}

/**
 * Sweeps every `intervalMs` until stopped; a failed sweep is logged and retried. Its first sweeps
 * ask nothing until the process has been up for the grace: after a stop, the answers of shipping
 * may still be in the backlog, and a reservation merely waiting on them must not be asked about.
 */
export function startReservationExpiry(deps: InventoryDeps, intervalMs = 30_000) {
  const upSince = deps.clock.now();
  let running: Promise<void> | undefined;
  const sweep = () => {
    if (running) return;
    running = (async () => {
      while ((await expireReservations(deps, { upSince })) > 0);
    })()
      .catch((error: unknown) => deps.log.error({ error }, "inventory: expiring reservations failed; will retry"))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(sweep, intervalMs);
  sweep();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
