import { jsonb, pgSchema, text, timestamp } from "drizzle-orm/pg-core";
import { outboxTable, processedEventsTable } from "../../../lib/outbox/index.ts";
import type { ShippingAddress } from "../../../lib/events/index.ts";

export const schema = pgSchema("shipping");
export const outbox = outboxTable(schema);
export const processedEvents = processedEventsTable(schema);

/** One shipment per order (unique order_id). */
export const shipments = schema.table("shipments", {
  id: text("id").primaryKey(),
  orderId: text("order_id").notNull().unique(),
  /** The order's customer (from stock.reserved), who alone may read the shipment; '' on rows older than it. */
  userId: text("user_id").notNull().default(""),
  reservationId: text("reservation_id").notNull(),
  carrier: text("carrier").notNull(),
  trackingNumber: text("tracking_number").notNull(),
  shippingAddress: jsonb("shipping_address").$type<ShippingAddress>().notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
});

/**
 * Orders shipping will never ship: their reservation ran out first (shipment.refused). An order has
 * a shipment or a refusal, never both: both are decided under the order's lock (store/shipments.ts).
 */
export const refusals = schema.table("refusals", {
  orderId: text("order_id").primaryKey(),
  userId: text("user_id").notNull(),
  reservationId: text("reservation_id").notNull(),
  reason: text("reason").$type<"reservation_expired">().notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
});
