import { index, integer, jsonb, pgSchema, primaryKey, text, timestamp, unique } from "drizzle-orm/pg-core";
import { outboxTable } from "../../../lib/outbox/index.ts";
import type { AttentionReason, CancellationReason, PaymentMethod, ShippingAddress } from "../../../lib/events/index.ts";
import type { OrderStatus } from "../domain/order-status.ts";

/** The order service's own PostgreSQL schema: no other service reads it. */
export const schema = pgSchema("orders");
/** order.created and order.cancelled; the timeline below is the dedup truth for incoming events. */
export const outbox = outboxTable(schema);

export type OrderItem = { productId: string; quantity: number; unitPrice: number };

export const orders = schema.table(
  "orders",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    status: text("status").$type<OrderStatus>().notNull(),
    /** Why it was cancelled, or why it needs attention. */
    reason: text("reason").$type<CancellationReason | AttentionReason>(),
    /** needs_attention: what payment last heard from the gateway, and since when the order waits for a person. */
    attentionDetail: text("attention_detail"),
    attentionSince: timestamp("attention_since", { withTimezone: true }),
    items: jsonb("items").$type<OrderItem[]>().notNull(),
    totalAmount: integer("total_amount").notNull(),
    currency: text("currency").notNull(),
    shippingAddress: jsonb("shipping_address").$type<ShippingAddress>().notNull(),
    payment: jsonb("payment").$type<{ method: PaymentMethod; token?: string }>().notNull(),
    /** Idempotency-Key of the POST that created the order, with a hash of its body (retry vs misuse). */
    idempotencyKey: text("idempotency_key"),
    requestHash: text("request_hash"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    // A key belongs to its customer: another customer's same key is another order.
    unique("orders_user_idempotency_key").on(t.userId, t.idempotencyKey),
    // GET /orders: one customer's orders, newest first, paged by (created_at, id).
    index("orders_user_created_idx").on(t.userId, t.createdAt.desc(), t.id.desc()),
    // GET /admin/orders?status=: the orders of one status, newest first, paged the same way.
    index("orders_status_created_idx").on(t.status, t.createdAt.desc(), t.id.desc()),
  ],
);

/**
 * The catalogue, the only source of prices (docs/architecture.md#trust-boundaries): set by staff
 * with PUT /products/{id}; every line of an order is priced from it, never from the request body.
 */
export const products = schema.table("products", {
  productId: text("product_id").primaryKey(),
  name: text("name").notNull(),
  unitPrice: integer("unit_price").notNull(),
  currency: text("currency").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
});

/**
 * Every event the order saw (read back by event time); its source and id are the primary key (the
 * dedup truth: CloudEvents makes an id unique within its source only).
 */
export const orderTimeline = schema.table(
  "order_timeline",
  {
    source: text("source").notNull(),
    eventId: text("event_id").notNull(),
    orderId: text("order_id").notNull(),
    type: text("type").notNull(),
    time: timestamp("time", { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: "order_timeline_source_event_id_pk", columns: [t.source, t.eventId] }),
    index("order_timeline_order_idx").on(t.orderId, t.time),
  ],
);
