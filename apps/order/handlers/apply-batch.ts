import { isRejection, replay } from "../../../lib/domain/index.ts";
import type { DomainEvent } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/index.ts";
import { eventFields } from "../../../lib/log/index.ts";
import { claimKey, enqueue } from "../../../lib/outbox/index.ts";
import type { OrderDeps } from "../deps.ts";
import { type OrderState, orderDecider } from "../domain/order.ts";
import type { FollowedEvent } from "../domain/order-status.ts";
import { appendTimelines, loadOrdersForUpdate, type OrderStatusChange, updateOrderStatuses } from "../store/orders.ts";
import { outbox } from "../store/schema.ts";
import { decidedEffects } from "./decided-effects.ts";

/**
 * applyEvent (apply-event.ts) for a whole pushed batch, with the same outcomes and the same rows,
 * in a constant number of statements however many events: the timeline in one insert (its source
 * and id are the dedup truth), every order touched locked and loaded in one select, the decisions
 * taken in memory in event order (each order's state evolving, so a later event of an order sees
 * the earlier one's effect), every status change in one update, every order.cancelled in one
 * enqueue (which carries the NOTIFY). At most 4 statements, against about 4 per event one by one.
 *
 * `deps.db` must be a transaction (the webhook gives its batch's savepoint): the orders stay
 * locked until it ends. A statement that fails throws, and the webhook then applies the events
 * one by one, which finds the event at fault.
 */
export async function applyBatch(deps: OrderDeps, events: FollowedEvent[]): Promise<Outcome[]> {
  const tx = deps.db;
  const recorded = await appendTimelines(tx, events);
  // An event given twice was recorded once: its first copy is applied, the later ones are duplicates.
  const outcomes = events.map((event): Outcome => (recorded.delete(claimKey(event)) ? "processed" : "duplicate"));
  const fresh = events.filter((_, i) => outcomes[i] === "processed");
  const states = await loadOrdersForUpdate(
    tx,
    fresh.map((event) => event.data.orderId),
  );
  const changes = new Map<string, OrderStatusChange>();
  const cancellations: DomainEvent[] = [];
  for (const event of fresh) {
    const state: OrderState = states.get(event.data.orderId) ?? { status: "none" };
    const decision = orderDecider.decide(event, state);
    if (isRejection(decision)) {
      deps.log.warn({ ...eventFields(event), ...decision }, "order: an event for an unknown order; recorded on the timeline only");
      continue;
    }
    const next = replay(orderDecider, decision, state);
    if (decision.length === 0 || next.status === "none") continue;
    states.set(next.orderId, next);
    const effects = decidedEffects(deps, event, decision, next, deps.clock.now());
    // Folded per order: the row ends as the one-by-one updates would leave it (attention kept unless set again).
    changes.set(next.orderId, { ...changes.get(next.orderId), ...effects.change });
    cancellations.push(...effects.cancellations);
  }
  await updateOrderStatuses(tx, [...changes.values()]);
  await enqueue(tx, outbox, cancellations);
  return outcomes;
}
