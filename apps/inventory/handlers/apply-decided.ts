import { newEvent } from "../../../lib/events/index.ts";
import type { Executor } from "../../../lib/db/index.ts";
import { eventFields } from "../../../lib/log/index.ts";
import { enqueue } from "../../../lib/outbox/index.ts";
import type { InventoryDeps } from "../deps.ts";
import { isPublished } from "../domain/events.ts";
import type { Decided } from "../domain/inventory.ts";
import { outbox } from "../store/schema.ts";
import { writeEvents } from "../store/write-events.ts";

/** The event being handled, if any: its id becomes the `causationid` of what follows. */
type Envelope = { now: Date; cause?: { id: string; type: string; correlationid: string } };

/**
 * The write half of load → decide → write, in the handler's transaction: the new rows, then the
 * events for the other services in the outbox, so that both commit or neither does
 * (docs/architecture.md#delivery-path). A rejection changes nothing and is logged.
 */
export async function applyDecided(tx: Executor, deps: InventoryDeps, decided: Decided, { now, cause }: Envelope): Promise<void> {
  for (const rejection of decided.rejections) deps.log.warn({ ...(cause ? eventFields(cause) : {}), ...rejection }, "inventory: nothing changes");
  await writeEvents(tx, decided.events, now);
  const published = decided.events
    .filter(isPublished)
    .map(({ type, data }) => newEvent(type, data, { id: deps.ids.next(), time: now, cause, correlationid: data.orderId }));
  await enqueue(tx, outbox, published);
}
