import { isRejection, replay } from "../../../lib/domain/index.ts";
import type { Executor } from "../../../lib/db/index.ts";
import type { Outcome } from "../../../lib/http/index.ts";
import { eventFields } from "../../../lib/log/index.ts";
import { enqueue } from "../../../lib/outbox/index.ts";
import type { OrderDeps } from "../deps.ts";
import { type OrderEvent, type OrderState, orderDecider } from "../domain/order.ts";
import type { FollowedEvent } from "../domain/order-status.ts";
import { appendTimeline, loadOrderForUpdate, updateOrderStatus } from "../store/orders.ts";
import { outbox } from "../store/schema.ts";
import { decidedEffects } from "./decided-effects.ts";

/**
 * The saga's bookkeeping: every event lands on the order's timeline (its source and id are the
 * dedup truth), then load → decide → write: the order's status moves when the state machine
 * allows, and a cancellation enqueues order.cancelled in the same transaction. An order that
 * needs attention keeps why and since when, for staff (GET /admin/orders?status=needs_attention).
 */
export async function applyEvent(deps: OrderDeps, event: FollowedEvent): Promise<Outcome> {
  return deps.db.transaction(async (tx) => {
    const fresh = await appendTimeline(tx, event.data.orderId, event);
    if (!fresh) return "duplicate";
    const state = await loadOrderForUpdate(tx, event.data.orderId);
    const decision = orderDecider.decide(event, state);
    if (isRejection(decision)) {
      deps.log.warn({ ...eventFields(event), ...decision }, "order: an event for an unknown order; recorded on the timeline only");
      return "processed";
    }
    await write(tx, deps, event, state, decision);
    return "processed";
  });
}

async function write(tx: Executor, deps: OrderDeps, cause: FollowedEvent, state: OrderState, decision: OrderEvent[]): Promise<void> {
  const next = replay(orderDecider, decision, state);
  if (decision.length === 0 || next.status === "none") return;
  const { change, cancellations } = decidedEffects(deps, cause, decision, next, deps.clock.now());
  const { orderId, ...fields } = change;
  await updateOrderStatus(tx, orderId, fields);
  await enqueue(tx, outbox, cancellations);
}
