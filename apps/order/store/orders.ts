import { and, asc, desc, eq, lt, or } from "drizzle-orm";
import type { Executor } from "../../../lib/db/index.ts";
import { type DomainEvent, eventInstant } from "../../../lib/events/index.ts";
import type { OrderState } from "../domain/order.ts";
import type { OrderStatus } from "../domain/order-status.ts";
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

/** The customer's order placed with `key`: keys are scoped to their customer. */
export async function findOrderByIdempotencyKey(db: Executor, userId: string, key: string) {
  const [row] = await db.select().from(orders).where(and(eq(orders.userId, userId), eq(orders.idempotencyKey, key)));
  return row;
}

/** Inserts unless the customer's Idempotency-Key is taken; returns the inserted row or undefined. */
export async function insertOrder(db: Executor, row: typeof orders.$inferInsert) {
  const [inserted] = await db.insert(orders).values(row).onConflictDoNothing({ target: [orders.userId, orders.idempotencyKey] }).returning();
  return inserted;
}

/** Where a page of a customer's orders starts: after the order last shown (newest first). */
export type OrderPosition = { createdAt: Date; id: string };

/** Orders placed before `after` (ties on time broken by id); everything without it. */
function olderThan(after: OrderPosition | undefined) {
  return after ? or(lt(orders.createdAt, after.createdAt), and(eq(orders.createdAt, after.createdAt), lt(orders.id, after.id))) : undefined;
}

/** Up to `limit` of the customer's orders, newest first, after `after` (ties on time broken by id). */
export async function listOrders(db: Executor, userId: string, limit: number, after?: OrderPosition) {
  return db
    .select()
    .from(orders)
    .where(and(eq(orders.userId, userId), olderThan(after)))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(limit);
}

/** Up to `limit` orders of one status, every customer's, newest first, after `after` (for staff). */
export async function listOrdersByStatus(db: Executor, status: OrderStatus, limit: number, after?: OrderPosition) {
  return db
    .select()
    .from(orders)
    .where(and(eq(orders.status, status), olderThan(after)))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(limit);
}

export async function updateOrderStatus(
  db: Executor,
  orderId: string,
  change: Pick<OrderRow, "status" | "reason" | "updatedAt"> & Partial<Pick<OrderRow, "attentionDetail" | "attentionSince">>,
) {
  await db.update(orders).set(change).where(eq(orders.id, orderId));
}

/**
 * Appends an event to its order's timeline; false when that source's event id was already recorded
 * (the dedup truth). Its `time` is stored as `eventInstant` reads it (a leap second as :59.999).
 */
export async function appendTimeline(db: Executor, orderId: string, event: Pick<DomainEvent, "source" | "id" | "type" | "time">): Promise<boolean> {
  const entry = { source: event.source, eventId: event.id, orderId, type: event.type, time: eventInstant(event.time) };
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
