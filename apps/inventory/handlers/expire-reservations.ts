import { outbox } from "../store/schema.ts";
import { newEvent } from "../../../lib/events/index.ts";
import { enqueue } from "../../../lib/outbox/enqueue.ts";
import type { InventoryDeps } from "../deps.ts";
import { lockExpiredReservations, setReservationStatus } from "../store/reservations.ts";
import { releaseReserved } from "../store/stock.ts";

/**
 * How long after `expiresAt` a reservation is given back. Shipping refuses to ship an expired
 * reservation, but its shipment.created may still be on its way to inventory: the grace covers
 * that delay, so a shipped reservation is almost never released.
 */
export const defaultExpiryGraceMs = 5 * 60_000;

/**
 * Gives back the stock of reservations that were never shipped (DESIGN.md: they must expire),
 * and emits stock.released so that payment refunds and the order is cancelled. One transaction per
 * batch: the release, the status and the event commit together. Returns how many expired.
 */
export async function expireReservations(deps: InventoryDeps, batchSize = 100): Promise<number> {
  const before = new Date(deps.clock.now().getTime() - (deps.reservationGraceMs ?? defaultExpiryGraceMs));
  return deps.db.transaction(async (tx) => {
    const expired = await lockExpiredReservations(tx, before, batchSize);
    for (const reservation of expired) {
      for (const item of reservation.items) await releaseReserved(tx, item.productId, item.quantity, { shipped: false });
      await setReservationStatus(tx, reservation.id, "expired");
    }
    await enqueue(
      tx,
      outbox,
      expired.map((r) =>
        newEvent(
          "com.example.stock.released",
          { reservationId: r.id, orderId: r.orderId, userId: r.userId, items: r.items.map(({ productId, quantity }) => ({ productId, quantity })), reason: "expired" },
          { id: deps.ids.next(), time: deps.clock.now(), correlationid: r.orderId },
        ),
      ),
    );
    return expired.length;
  });
}

/** Sweeps now and then every `intervalMs` until stopped; a failed sweep is logged and retried. */
export function startReservationExpiry(deps: InventoryDeps, intervalMs = 30_000, log: (message: string, error?: unknown) => void = console.error) {
  let running: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    running = (async () => {
      while ((await expireReservations(deps)) > 0);
    })().catch((error) => log("inventory: expiring reservations failed; will retry", error));
  };
  const timer = setInterval(sweep, intervalMs);
  sweep();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
