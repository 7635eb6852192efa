import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgSchema, text, timestamp } from "drizzle-orm/pg-core";
import type { AttentionReason, PaymentMethod } from "../../../lib/events/index.ts";
import { outboxTable, processedEventsTable } from "../../../lib/outbox/index.ts";
import type { Fulfilment, RefundReason } from "../domain/types.ts";

export const schema = pgSchema("payments");
export const outbox = outboxTable(schema);
export const processedEvents = processedEventsTable(schema);

/**
 * `charging` and `refunding` wait on the gateway; the reconciler finishes them. The others are
 * ends, `needs_attention` one a person takes over.
 */
export type PaymentStatus = "charging" | "completed" | "failed" | "refunding" | "refunded" | "needs_attention";

/**
 * One payment per order (unique order_id: the truth against double charges). The gateway
 * idempotency key is written BEFORE the charge and never regenerated, so a retry after a crash or
 * a timeout asks the gateway for the same charge; the refund key likewise before the refund.
 */
export const payments = schema.table(
  "payments",
  {
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
    /** The order's items and address, for a payment.completed the reconciler emits (null on older rows). */
    fulfilment: jsonb("fulfilment").$type<Fulfilment>(),
    /** The event that began the step under way (order.created, then the refund's cause): the causationid of what follows. */
    causeId: text("cause_id"),
    refundKey: text("refund_key"),
    refundReason: text("refund_reason").$type<RefundReason>(),
    /** Lookups (while charging) or refund attempts (while refunding) that did not settle it. */
    attempts: integer("attempts").notNull().default(0),
    /**
     * While charging or refunding: when the reconciler may take the payment up. Whoever takes it
     * (a delivery about to call the gateway, or the reconciler) moves it on, and the reconciler
     * writes only if it is still the value it set: a fence against a delivery that came meanwhile.
     */
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
    attentionReason: text("attention_reason").$type<AttentionReason>(),
    /** The gateway's last failure, for the person who looks. */
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("payments_due_idx").on(t.nextAttemptAt).where(sql`status in ('charging', 'refunding')`)],
);
