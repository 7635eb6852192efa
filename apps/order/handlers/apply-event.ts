import { isRejection, replay } from "../../../lib/domain/index.ts";
import type { Executor } from "../../../lib/db/index.ts";
import { newEvent } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/index.ts";
import { eventFields } from "../../../lib/log/index.ts";
import { enqueue } from "../../../lib/outbox/index.ts";
import type { OrderDeps } from "../deps.ts";
import { type OrderEvent, type OrderState, orderDecider } from "../domain/order.ts";
import type { FollowedEvent } from "../domain/order-status.ts";
import { appendTimeline, loadOrderForUpdate, updateOrderStatus } from "../store/orders.ts";
import { outbox } from "../store/schema.ts";

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
  const now = deps.clock.now();
  const attention = decision.find((event) => event.type === "order.needs_attention");
  const waiting = attention ? { attentionDetail: attention.detail, attentionSince: attention.since } : {};
  await updateOrderStatus(tx, next.orderId, { status: next.status, reason: next.reason, updatedAt: now, ...waiting });
  const cancellations = decision.flatMap((event) => (event.type === "com.example.order.cancelled" ? [event.data] : []));
  await enqueue(
    tx,
    outbox,
    cancellations.map((data) => newEvent("com.example.order.cancelled", data, { id: deps.ids.next(), time: now, cause })),
  );
}
