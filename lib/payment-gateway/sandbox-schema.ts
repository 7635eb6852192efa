import { integer, pgSchema, text, timestamp } from "drizzle-orm/pg-core";

/** The sandbox's own ledger: it plays an external processor, so it owns a schema of its own. */
export const gateway = pgSchema("gateway");

export const gatewayCharges = gateway.table("charges", {
  id: text("id").primaryKey(),
  idempotencyKey: text("idempotency_key").notNull().unique(),
  orderId: text("order_id").notNull(),
  amount: integer("amount").notNull(),
  currency: text("currency").notNull(),
  method: text("method").notNull(),
  status: text("status").$type<"succeeded" | "declined">().notNull(),
  declineCode: text("decline_code"),
  transactionId: text("transaction_id"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
});

export const gatewayRefunds = gateway.table("refunds", {
  id: text("id").primaryKey(),
  idempotencyKey: text("idempotency_key").notNull().unique(),
  chargeId: text("charge_id").notNull(),
  amount: integer("amount").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
});
