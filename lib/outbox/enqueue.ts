import { sql } from "drizzle-orm";
import { getTableConfig } from "drizzle-orm/pg-core";
import { eventCatalog, type DomainEvent } from "../events/index.ts";
import type { Executor } from "../db/index.ts";
import type { OutboxTable, ProcessedEventsTable } from "./tables.ts";

/** The channel the relay LISTENs on; PostgreSQL delivers the NOTIFY only when the writer commits. */
export const outboxChannel = "orderflow_outbox";

/** An outbox is known by its service's PostgreSQL schema. */
export function outboxName(outbox: OutboxTable): string {
  return getTableConfig(outbox).schema ?? "public";
}

/** Writes events to the outbox inside the caller's transaction and wakes the relay on commit. */
export async function enqueue(tx: Executor, outbox: OutboxTable, events: DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.insert(outbox).values(events.map((event) => ({ topic: eventCatalog[event.type].topic, key: event.data.orderId, event })));
  // The payload names the outbox, so the relay drains that one instead of all of them.
  await tx.execute(sql`select pg_notify(${outboxChannel}, ${outboxName(outbox)})`);
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
  const claimed = await tx
    .insert(processed)
    .values(unique.map((event) => ({ source: event.source, eventId: event.id, type: event.type })))
    .onConflictDoNothing()
    .returning({ source: processed.source, eventId: processed.eventId });
  return new Set(claimed.map((row) => claimKey({ source: row.source, id: row.eventId })));
}

/** How claimEvents names an event: its source and id (unique together, as CloudEvents makes them). */
export const claimKey = (event: { source: string; id: string }) => JSON.stringify([event.source, event.id]);
