import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgSchema, text, timestamp } from "drizzle-orm/pg-core";
import { outboxTable, processedEventsTable } from "../../../lib/outbox/index.ts";
import type { ReservationStatus, ReservedItem } from "../domain/state.ts";

export const schema = pgSchema("inventory");
export const outbox = outboxTable(schema);
export const processedEvents = processedEventsTable(schema);

/**
 * Stock per product: `available` is what the warehouse holds, `reserved` what orders have claimed.
 * The check constraint is the last line against overselling: reserved never exceeds available.
 */
export const products = schema.table(
  "products",
  {
    productId: text("product_id").primaryKey(),
    warehouseId: text("warehouse_id").notNull().default("tokyo-1"),
    available: integer("available").notNull(),
    reserved: integer("reserved").notNull().default(0),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (t) => [check("products_stock_check", sql`${t.reserved} >= 0 and ${t.reserved} <= ${t.available}`)],
);

/** One reservation per order (unique order_id): a second one for the same order cannot exist. */
export const reservations = schema.table(
  "reservations",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id").notNull().unique(),
    userId: text("user_id").notNull().default(""),
    items: jsonb("items").$type<ReservedItem[]>().notNull(),
    status: text("status").$type<ReservationStatus>().notNull().default("reserved"),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("reservations_expiry_idx").on(t.expiresAt).where(sql`status = 'reserved'`)],
);
