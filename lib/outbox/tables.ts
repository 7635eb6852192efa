import { sql } from "drizzle-orm";
import { bigserial, index, jsonb, type PgSchema, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import type { CloudEvent } from "../cloudevents/index.ts";

/**
 * `outbox`: the events a service emits, written in the same transaction as the state change and
 * published later by the relay. Only services that emit have one.
 */
export function outboxTable(schema: PgSchema) {
  return schema.table(
    "outbox",
    {
      id: bigserial("id", { mode: "number" }).primaryKey(),
      topic: text("topic").notNull(),
      key: text("key").notNull(),
      event: jsonb("event").$type<CloudEvent>().notNull(),
      createdAt: timestamp("created_at", { withTimezone: true }).defaultNow().notNull(),
      publishedAt: timestamp("published_at", { withTimezone: true }),
    },
    // The relay selects by row state (unpublished), never by a high-water mark: ids are taken before
    // commit, so a later id can commit first.
    (t) => [index("outbox_unpublished_idx").on(t.id).where(sql`published_at is null`)],
  );
}

/**
 * `processed_events`: incoming events, claimed in the same transaction as their effect. Only
 * services whose own tables do not already say "this event was applied" need one. Keyed by
 * `source` and `id` together: CloudEvents makes an id unique within its source only.
 */
export function processedEventsTable(schema: PgSchema) {
  return schema.table(
    "processed_events",
    {
      source: text("source").notNull(),
      eventId: text("event_id").notNull(),
      type: text("type").notNull(),
      processedAt: timestamp("processed_at", { withTimezone: true }).defaultNow().notNull(),
    },
    (t) => [primaryKey({ name: "processed_events_source_event_id_pk", columns: [t.source, t.eventId] })],
  );
}

export type OutboxTable = ReturnType<typeof outboxTable>;
export type ProcessedEventsTable = ReturnType<typeof processedEventsTable>;
