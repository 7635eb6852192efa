import { asc, eq } from "drizzle-orm";
import type { Executor } from "../../../lib/db/index.ts";
import type { OrderState } from "../domain/order.ts";
import { orders, orderTimeline } from "./schema.ts";

export type OrderRow = typeof orders.$inferSelect;

export async function findOrder(db: Executor, orderId: string, options: { forUpdate?: boolean } = {}) {
  const query = db.select().from(orders).where(eq(orders.id, orderId));
  const [row] = await (options.forUpdate ? query.for("update") : query);
  return row;
}

/** The order as the domain decides on it, locked until the transaction ends (concurrent events queue). */
export async function loadOrderForUpdate(tx: Executor, orderId: string): Promise<OrderState> {
  const row = await findOrder(tx, orderId, { forUpdate: true });
  return row ? { status: row.status, orderId: row.id, userId: row.userId, reason: row.reason } : { status: "none" };
}

export async function findOrderByIdempotencyKey(db: Executor, key: string) {
  const [row] = await db.select().from(orders).where(eq(orders.idempotencyKey, key));
  return row;
}

/** Inserts unless the Idempotency-Key is taken; returns the inserted row or undefined. */
export async function insertOrder(db: Executor, row: typeof orders.$inferInsert) {
  const [inserted] = await db.insert(orders).values(row).onConflictDoNothing({ target: orders.idempotencyKey }).returning();
  return inserted;
}

export async function updateOrderStatus(db: Executor, orderId: string, change: Pick<OrderRow, "status" | "reason" | "updatedAt">) {
  await db.update(orders).set(change).where(eq(orders.id, orderId));
}

/** Appends to the timeline; false when the event was already recorded (the dedup truth). */
export async function appendTimeline(db: Executor, entry: typeof orderTimeline.$inferInsert): Promise<boolean> {
  const added = await db.insert(orderTimeline).values(entry).onConflictDoNothing().returning({ id: orderTimeline.eventId });
  return added.length === 1;
}

export async function readTimeline(db: Executor, orderId: string) {
  return db
    .select({ type: orderTimeline.type, id: orderTimeline.eventId, time: orderTimeline.time })
    .from(orderTimeline)
    .where(eq(orderTimeline.orderId, orderId))
    .orderBy(asc(orderTimeline.time), asc(orderTimeline.eventId));
}
