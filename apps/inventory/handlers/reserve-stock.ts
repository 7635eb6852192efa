import { outbox, processedEvents, type ReservedItem } from "../store/schema.ts";
import { type EventOf, newEvent } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/event-webhook.ts";
import { claimEvent, enqueue } from "../../../lib/outbox/enqueue.ts";
import type { InventoryDeps } from "../deps.ts";
import { findProduct, insertReservation, reserve } from "../store/stock.ts";

type Missing = { productId: string; requested: number; available: number };
class Shortage {
  constructor(readonly missing: Missing[]) {}
}

/**
 * payment.completed → reserve every item or none (seed mission 4.2, corrected): the event id is
 * claimed FIRST inside the transaction, so a concurrent duplicate waits on the row and then stops;
 * the reservations run in a savepoint that a shortage rolls back whole, and the shortage itself is
 * an event (stock.insufficient) committed with the claim.
 */
export async function reserveStock(deps: InventoryDeps, event: EventOf<"com.example.payment.completed">): Promise<Outcome> {
  const { orderId, userId, shippingAddress } = event.data;
  return deps.db.transaction(async (tx) => {
    if (!(await claimEvent(tx, processedEvents, event))) return "duplicate";
    const context = { id: deps.ids.next(), time: deps.clock.now(), cause: event };
    const items = mergeByProduct(event.data.items);
    const reserved = await tx
      .transaction(async (savepoint) => {
        const done: ReservedItem[] = [];
        const missing: Missing[] = [];
        for (const item of items) {
          const row = await reserve(savepoint, item.productId, item.quantity);
          if (row) done.push({ ...item, warehouseId: row.warehouseId });
          else missing.push({ ...item, requested: item.quantity, available: await freeStock(savepoint, item.productId) });
        }
        if (missing.length > 0) throw new Shortage(missing);
        return done;
      })
      .catch((error: unknown) => {
        if (error instanceof Shortage) return error;
        throw error;
      });

    if (reserved instanceof Shortage) {
      const missing = reserved.missing.map(({ productId, requested, available }) => ({ productId, requested, available }));
      await enqueue(tx, outbox, [newEvent("com.example.stock.insufficient", { orderId, userId, missing }, context)]);
      return "processed";
    }
    const expiresAt = new Date(context.time.getTime() + (deps.reservationTtlMs ?? 30 * 60_000));
    const reservationId = `res_${deps.ids.next()}`;
    await insertReservation(tx, { id: reservationId, orderId, userId, items: reserved, status: "reserved", expiresAt, createdAt: context.time });
    const event2 = newEvent(
      "com.example.stock.reserved",
      { reservationId, orderId, userId, items: reserved, expiresAt: expiresAt.toISOString(), shippingAddress },
      context,
    );
    await enqueue(tx, outbox, [event2]);
    return "processed";
  });
}

/** One line per product, in a fixed order: concurrent reservations lock rows in the same order. */
function mergeByProduct(items: Array<{ productId: string; quantity: number }>) {
  const merged = new Map<string, number>();
  for (const { productId, quantity } of items) merged.set(productId, (merged.get(productId) ?? 0) + quantity);
  return [...merged].sort(([a], [b]) => a.localeCompare(b)).map(([productId, quantity]) => ({ productId, quantity }));
}

async function freeStock(tx: Parameters<typeof findProduct>[0], productId: string): Promise<number> {
  const product = await findProduct(tx, productId);
  return product ? product.available - product.reserved : 0;
}
