import { jsonb, text, timestamp } from "drizzle-orm/pg-core";
import { serviceSchemas } from "../../../lib/db/schemas.ts";
import type { ShippingAddress } from "../../../lib/events/index.ts";

/** One shipment per order (unique order_id). */
export const shipments = serviceSchemas.shipping.table("shipments", {
  id: text("id").primaryKey(),
  orderId: text("order_id").notNull().unique(),
  reservationId: text("reservation_id").notNull(),
  carrier: text("carrier").notNull(),
  trackingNumber: text("tracking_number").notNull(),
  shippingAddress: jsonb("shipping_address").$type<ShippingAddress>().notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
});
