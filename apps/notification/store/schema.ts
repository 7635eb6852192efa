import { index, integer, pgSchema, text, timestamp } from "drizzle-orm/pg-core";

/** Notification emits nothing and its rows are its dedup truth: no outbox, no processed_events. */
export const schema = pgSchema("notifications");

/**
 * One row per `${type}:${orderId}`: the primary key is the truth that a notification exists once
 * (docs/architecture.md#idempotency). `sending` rows are claimed but not yet confirmed sent;
 * `skipped` ones were never sent, because the customer had heard of a later step already.
 */
export const notifications = schema.table(
  "notifications",
  {
    key: text("key").primaryKey(),
    orderId: text("order_id").notNull(),
    userId: text("user_id").notNull(),
    type: text("type").notNull(),
    subject: text("subject").notNull(),
    body: text("body").notNull(),
    status: text("status").$type<"sending" | "sent" | "skipped">().notNull(),
    /** Where the message stands in the order's story (domain/stages.ts); 0 on rows older than it. */
    stage: integer("stage").notNull().default(0),
    /** The delivery that may send holds this lease; once it runs out, another may take over. */
    claimedUntil: timestamp("claimed_until", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
  },
  (t) => [index("notifications_order_idx").on(t.orderId)],
);
