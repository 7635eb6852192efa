import { sql } from "drizzle-orm";
import { getTableConfig } from "drizzle-orm/pg-core";
import { perObject } from "../cache/index.ts";
import { eventCatalog, type DomainEvent } from "../events/index.ts";
import { columnArray, type Executor, rowsOf } from "../db/index.ts";
import type { OutboxTable, ProcessedEventsTable } from "./tables.ts";

/** The channel the relay LISTENs on; PostgreSQL delivers the NOTIFY only when the writer commits. */
export const outboxChannel = "orderflow_outbox";

/**
 * An outbox is known by its service's PostgreSQL schema. Remembered per table: drizzle's
 * getTableConfig builds the whole table's config (columns, indexes) on every call, and every
 * enqueue asks (1.5 % of a one-event push's CPU).
 */
export const outboxName: (outbox: OutboxTable) => string = perObject((outbox) => getTableConfig(outbox).schema ?? "public");

/**
 * Writes events to the outbox inside the caller's transaction and wakes the relay on commit, in
 * one statement of one shape whatever the number of events (lib/db/unnest.ts). The NOTIFY's
 * payload names the outbox, so the relay drains that one instead of all of them.
 */
export async function enqueue(tx: Executor, outbox: OutboxTable, events: DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  const columns = sql.join([outbox.topic, outbox.key, outbox.event].map((column) => sql.identifier(column.name)), sql`, `);
  const topics = columnArray(events.map((event) => eventCatalog[event.type].topic), "text");
  const keys = columnArray(events.map((event) => event.data.orderId), "text");
  // A data-modifying WITH runs once, whatever the outer query reads of it.
  await tx.execute(sql`with written as (insert into ${outbox} (${columns}) select * from unnest(${topics}, ${keys}, ${columnArray(events, "jsonb")}))
    select pg_notify(${outboxChannel}, ${outboxName(outbox)})`);
}

/**
 * Claims an incoming event, known by its source and id, inside the caller's transaction. False
 * means another delivery got there first: the caller stops, and its transaction changes nothing.
 */
export async function claimEvent(
  tx: Executor,
  processed: ProcessedEventsTable,
  event: { source: string; id: string; type: string },
): Promise<boolean> {
  const claimed = await tx
    .insert(processed)
    .values({ source: event.source, eventId: event.id, type: event.type })
    .onConflictDoNothing()
    .returning({ eventId: processed.eventId });
  return claimed.length === 1;
}

/**
 * claimEvent for a whole batch, in one statement: the events (known by source and id) this
 * transaction claimed, as `claimKey`s. An event given twice is claimed once; one already claimed
 * by an earlier delivery is left out. A set-based handler applies only the claimed ones.
 */
export async function claimEvents(
  tx: Executor,
  processed: ProcessedEventsTable,
  events: Array<{ source: string; id: string; type: string }>,
): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const unique = [...new Map(events.map((event) => [claimKey(event), event])).values()];
  const [source, eventId, type] = [processed.source, processed.eventId, processed.type].map((column) => sql.identifier(column.name));
  const columns = [unique.map((e) => e.source), unique.map((e) => e.id), unique.map((e) => e.type)].map((values) => columnArray(values, "text"));
  // One statement of one shape whatever the batch's size (lib/db/unnest.ts).
  const claimed = await tx.execute(sql`insert into ${processed} (${source}, ${eventId}, ${type}) select * from unnest(${sql.join(columns, sql`, `)})
    on conflict do nothing returning ${source} as source, ${eventId} as id`);
  return new Set(rowsOf<{ source: string; id: string }>(claimed).map(claimKey));
}

/** How claimEvents names an event: its source and id (unique together, as CloudEvents makes them). */
export const claimKey = (event: { source: string; id: string }) => JSON.stringify([event.source, event.id]);
