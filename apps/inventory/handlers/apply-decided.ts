import { type DomainEvent, newEvent } from "../../../lib/events/index.ts";
import type { Executor } from "../../../lib/db/index.ts";
import { eventFields } from "../../../lib/log/index.ts";
import { enqueue } from "../../../lib/outbox/index.ts";
import type { InventoryDeps } from "../deps.ts";
import { isPublished } from "../domain/events.ts";
import type { Decided } from "../domain/inventory.ts";
import { outbox } from "../store/schema.ts";
import { writeEvents } from "../store/write-events.ts";

/** The event being handled, if any: its id becomes the `causationid` of what follows. */
export type Envelope = { now: Date; cause?: { id: string; type: string; correlationid: string } };

/**
 * The write half of load → decide → write, in the handler's transaction: the new rows, then the
 * events for the other services in the outbox, so that both commit or neither does
 * (docs/architecture.md#delivery-path). A rejection changes nothing and is logged.
 */
export async function applyDecided(tx: Executor, deps: InventoryDeps, decided: Decided, envelope: Envelope): Promise<void> {
  warnRejections(deps, decided, envelope);
  await writeEvents(tx, decided.events, envelope.now);
  await enqueue(tx, outbox, publishedOf(deps, decided, envelope));
}

/** A rejection changes nothing: the log says why, naming the event that asked. */
export function warnRejections(deps: InventoryDeps, decided: Decided, { cause }: Envelope): void {
  for (const rejection of decided.rejections) deps.log.warn({ ...(cause ? eventFields(cause) : {}), ...rejection }, "inventory: nothing changes");
}

/** What the other services hear of a decision, each event in its envelope, caused by `cause`. */
export function publishedOf(deps: InventoryDeps, decided: Decided, { now, cause }: Envelope): DomainEvent[] {
  return decided.events
    .filter(isPublished)
    .map(({ type, data }) => newEvent(type, data, { id: deps.ids.next(), time: now, cause, correlationid: data.orderId }));
}
