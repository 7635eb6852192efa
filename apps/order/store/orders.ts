import { and, asc, desc, eq, lt, or, sql } from "drizzle-orm";
import { anyOf, type Executor, unnestRows } from "../../../lib/db/index.ts";
import { AppError } from "../../../lib/errors/index.ts";
import { type DomainEvent, eventInstant } from "../../../lib/events/index.ts";
import { claimKey } from "../../../lib/outbox/index.ts";
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
  return row ? stateOf(row) : { status: "none" };
}

/**
 * loadOrderForUpdate for a whole batch, in one statement: the orders found, by id (an id not in
 * the map is an order never placed). Locked in id order, so two batches touching the same orders
 * take their locks in the same order and never deadlock on each other.
 */
export async function loadOrdersForUpdate(tx: Executor, orderIds: readonly string[]): Promise<Map<string, OrderState>> {
  const ids = [...new Set(orderIds)];
  if (ids.length === 0) return new Map();
  const rows = await tx.select().from(orders).where(anyOf(orders.id, ids)).orderBy(asc(orders.id)).for("update");
  return new Map(rows.map((row) => [row.id, stateOf(row)]));
}

function stateOf(row: OrderRow): OrderState {
  return { status: row.status, orderId: row.id, userId: row.userId, reason: row.reason };
}

/** The customer's order placed with `key`: keys are scoped to their customer. */
export async function findOrderByIdempotencyKey(db: Executor, userId: string, key: string) {
  const [row] = await db.select().from(orders).where(and(eq(orders.userId, userId), eq(orders.idempotencyKey, key)));
  return row;
}

/**
 * Inserts the orders, in one statement, except those whose customer's Idempotency-Key is taken
 * (by an earlier order, or by one before it in `rows`); returns the rows inserted.
 */
export async function insertOrders(db: Executor, rows: Array<typeof orders.$inferInsert>): Promise<OrderRow[]> {
  if (rows.length === 0) return [];
  // One statement text whatever the batch's size, prepared once per connection (lib/db/unnest.ts).
  return db.insert(orders).select(unnestRows(orders, rows)).onConflictDoNothing({ target: [orders.userId, orders.idempotencyKey] }).returning();
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

/** One order's new status, as updateOrderStatus takes it; the attention fields change only when given. */
export type OrderStatusChange = { orderId: string } & Parameters<typeof updateOrderStatus>[2];

/**
 * updateOrderStatus for many orders, in one statement (update ... from values). At most one change
 * per order: with two, which one PostgreSQL applies is undefined, so the caller folds them first.
 */
export async function updateOrderStatuses(db: Executor, changes: readonly OrderStatusChange[]): Promise<void> {
  if (changes.length === 0) return;
  const ids = changes.map((change) => change.orderId);
  if (new Set(ids).size !== ids.length) throw new AppError("order.status_change_twice", "updateOrderStatuses takes at most one change per order");
  // Typed casts: a VALUES list has no column types of its own; untyped parameters would be read as text.
  const rows = changes.map(
    (change) =>
      sql`(${change.orderId}::text, ${change.status}::text, ${change.reason}::text, ${change.updatedAt.toISOString()}::timestamptz,
        ${change.attentionDetail !== undefined}::boolean, ${change.attentionDetail ?? null}::text,
        ${change.attentionSince !== undefined}::boolean, ${change.attentionSince?.toISOString() ?? null}::timestamptz)`,
  );
  // The target columns by their drizzle names; `change` is the VALUES list, named below.
  const column = (of: { name: string }) => sql.identifier(of.name);
  await db.execute(sql`
    update ${orders} set
      ${column(orders.status)} = change.status,
      ${column(orders.reason)} = change.reason,
      ${column(orders.updatedAt)} = change.updated_at,
      ${column(orders.attentionDetail)} = case when change.detail_given then change.attention_detail else ${orders.attentionDetail} end,
      ${column(orders.attentionSince)} = case when change.since_given then change.attention_since else ${orders.attentionSince} end
    from (values ${sql.join(rows, sql`, `)})
      as change(id, status, reason, updated_at, detail_given, attention_detail, since_given, attention_since)
    where ${orders.id} = change.id`);
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

/**
 * appendTimeline for a whole batch, in one statement: the events recorded now, as `claimKey`s (an
 * event already on the timeline is left out; one given twice is recorded once).
 */
export async function appendTimelines(db: Executor, events: ReadonlyArray<Pick<DomainEvent, "source" | "id" | "type" | "time" | "data">>): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  // One row per source and id: the first, as appending them one by one would keep.
  const first = new Map<string, (typeof events)[number]>();
  for (const event of events) if (!first.has(claimKey(event))) first.set(claimKey(event), event);
  const entries = [...first.values()].map((event) => ({
    source: event.source,
    eventId: event.id,
    orderId: event.data.orderId,
    type: event.type,
    time: eventInstant(event.time),
  }));
  const added = await db.insert(orderTimeline).select(unnestRows(orderTimeline, entries)).onConflictDoNothing().returning({ source: orderTimeline.source, id: orderTimeline.eventId });
  return new Set(added.map(claimKey));
}

export async function readTimeline(db: Executor, orderId: string) {
  return db
    .select({ type: orderTimeline.type, id: orderTimeline.eventId, time: orderTimeline.time })
    .from(orderTimeline)
    .where(eq(orderTimeline.orderId, orderId))
    .orderBy(asc(orderTimeline.time), asc(orderTimeline.eventId));
}
