import { count, isNull } from "drizzle-orm";
import { getTableConfig } from "drizzle-orm/pg-core";
import type { Executor } from "../../lib/db/index.ts";
import { gatewayCharges, gatewayRefunds } from "../../lib/payment-gateway/index.ts";
import { products, reservations } from "../inventory/store/schema.ts";
import { notifications } from "../notification/store/schema.ts";
import { orders, orderTimeline } from "../order/store/schema.ts";
import { outboxes } from "../roster.ts";
import { refusals, shipments } from "../shipping/store/schema.ts";
import type { ReservedItem } from "../inventory/domain/state.ts";

/**
 * The whole flow's state as the auditor reads it: every service's rows that an invariant looks at,
 * read in one snapshot (docs/architecture.md#parts). Statuses are plain strings: the auditor must
 * see a value the code does not know of, not have it typed away.
 */
export type AuditState = {
  orders: Array<{ id: string; status: string; reason: string | null; totalAmount: number }>;
  /** Each order's timeline event types, oldest first (by event time, then id: as the order reads it back). */
  timeline: Map<string, string[]>;
  charges: Array<{ id: string; orderId: string; amount: number; status: string }>;
  refunds: Array<{ chargeId: string; amount: number }>;
  reservations: Array<{ orderId: string; status: string; items: ReservedItem[] }>;
  products: Array<{ productId: string; available: number; reserved: number }>;
  shipments: Array<{ orderId: string }>;
  /** Orders shipping refused for good (their reservation ran out first). */
  refusals: Array<{ orderId: string }>;
  notifications: Array<{ key: string; orderId: string; type: string }>;
  /** The recording notifier's sends (its JSON lines), when the auditor was given the file. */
  notificationLog?: Array<{ idempotencyKey: string; duplicate: boolean }>;
  /** Per outbox (by its schema), the rows not yet published. */
  outboxes: Array<{ schema: string; unpublished: number }>;
};

export async function loadAuditState(db: Executor): Promise<Omit<AuditState, "notificationLog">> {
  const timelineRows = await db.select({ orderId: orderTimeline.orderId, type: orderTimeline.type }).from(orderTimeline).orderBy(orderTimeline.time, orderTimeline.eventId);
  return {
    orders: await db.select({ id: orders.id, status: orders.status, reason: orders.reason, totalAmount: orders.totalAmount }).from(orders).orderBy(orders.id),
    timeline: groupTypes(timelineRows),
    charges: await db.select({ id: gatewayCharges.id, orderId: gatewayCharges.orderId, amount: gatewayCharges.amount, status: gatewayCharges.status }).from(gatewayCharges),
    refunds: await db.select({ chargeId: gatewayRefunds.chargeId, amount: gatewayRefunds.amount }).from(gatewayRefunds),
    reservations: await db.select({ orderId: reservations.orderId, status: reservations.status, items: reservations.items }).from(reservations),
    products: await db.select({ productId: products.productId, available: products.available, reserved: products.reserved }).from(products).orderBy(products.productId),
    shipments: await db.select({ orderId: shipments.orderId }).from(shipments),
    refusals: await db.select({ orderId: refusals.orderId }).from(refusals),
    notifications: await db.select({ key: notifications.key, orderId: notifications.orderId, type: notifications.type }).from(notifications),
    outboxes: await unpublishedPerOutbox(db),
  };
}

async function unpublishedPerOutbox(db: Executor): Promise<AuditState["outboxes"]> {
  const counts = [];
  for (const outbox of outboxes) {
    const [row] = await db.select({ unpublished: count() }).from(outbox).where(isNull(outbox.publishedAt));
    counts.push({ schema: getTableConfig(outbox).schema ?? "public", unpublished: row?.unpublished ?? 0 });
  }
  return counts;
}

function groupTypes(rows: Array<{ orderId: string; type: string }>): Map<string, string[]> {
  const byOrder = new Map<string, string[]>();
  for (const { orderId, type } of rows) {
    const types = byOrder.get(orderId) ?? [];
    types.push(type);
    byOrder.set(orderId, types);
  }
  return byOrder;
}
