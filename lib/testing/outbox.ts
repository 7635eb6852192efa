import { and, eq, sql } from "drizzle-orm";
import type { Executor } from "../db/index.ts";
import type { EventType } from "../events/index.ts";
import type { OutboxTable } from "../outbox/index.ts";

/** The outbox rows of one order and event type: what a handler emitted, in the order it did. */
export function emittedEvents(db: Executor, outbox: OutboxTable, orderId: string, type: EventType) {
  return db
    .select()
    .from(outbox)
    .where(and(eq(outbox.key, orderId), sql`${outbox.event}->>'type' = ${type}`))
    .orderBy(outbox.id);
}
