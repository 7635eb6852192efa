import { integer, pgSchema, text, timestamp } from "drizzle-orm/pg-core";
import type { PaymentMethod } from "../../../lib/events/index.ts";
import { outboxTable, processedEventsTable } from "../../../lib/outbox/index.ts";

export const schema = pgSchema("payments");
export const outbox = outboxTable(schema);
export const processedEvents = processedEventsTable(schema);

export type PaymentStatus = "charging" | "completed" | "failed" | "refunded";

/**
 * One payment per order (unique order_id: the truth against double charges). The gateway
 * idempotency key is written BEFORE the charge and never regenerated, so a retry after a crash or
 * a timeout asks the gateway for the same charge.
 */
export const payments = schema.table("payments", {
  id: text("id").primaryKey(),
  orderId: text("order_id").notNull().unique(),
  userId: text("user_id").notNull(),
  idempotencyKey: text("idempotency_key").notNull().unique(),
  amount: integer("amount").notNull(),
  currency: text("currency").notNull(),
  method: text("method").$type<PaymentMethod>().notNull(),
  status: text("status").$type<PaymentStatus>().notNull(),
  chargeId: text("charge_id"),
  transactionId: text("transaction_id"),
  declineCode: text("decline_code"),
  refundId: text("refund_id"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
});
