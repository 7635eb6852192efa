import { sql } from "drizzle-orm";
import { pgSchema } from "drizzle-orm/pg-core";
import type { Database } from "../db/index.ts";
import { outboxTable, processedEventsTable } from "../outbox/index.ts";

/**
 * An outbox and a processed_events table in a schema of the test's own, for tests of lib/ that
 * must not borrow a service's tables. The DDL is the one drizzle-kit generates for tables.ts.
 */
export async function createTestMessagingTables(database: Database, schemaName = `test_${crypto.randomUUID().slice(0, 8)}`) {
  const schema = pgSchema(schemaName);
  const statements = [
    `create schema if not exists "${schemaName}"`,
    `create table "${schemaName}"."outbox" (
      "id" bigserial primary key not null, "topic" text not null, "key" text not null, "event" jsonb not null,
      "created_at" timestamp with time zone default now() not null, "published_at" timestamp with time zone)`,
    `create index on "${schemaName}"."outbox" ("id") where published_at is null`,
    `create table "${schemaName}"."processed_events" (
      "source" text not null, "event_id" text not null, "type" text not null,
      "processed_at" timestamp with time zone default now() not null,
      constraint "processed_events_source_event_id_pk" primary key ("source", "event_id"))`,
  ];
  for (const statement of statements) await database.db.execute(sql.raw(statement));
  return { outbox: outboxTable(schema), processedEvents: processedEventsTable(schema) };
}
