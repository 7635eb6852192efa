import { outbox } from "../store/schema.ts";
import { type DomainEvent, newEvent } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/event-webhook.ts";
import { enqueue } from "../../../lib/outbox/enqueue.ts";
import type { OrderDeps } from "../deps.ts";
import { evolve } from "../domain/order-status.ts";
import { appendTimeline, findOrder, updateOrderStatus } from "../store/orders.ts";

/**
 * The saga's bookkeeping: every event lands on the order's timeline (its event id is the dedup
 * truth) and moves the status forward when the state machine allows. A cancellation emits
 * order.cancelled in the same transaction.
 */
export async function applyEvent(deps: OrderDeps, event: DomainEvent): Promise<Outcome> {
  return deps.db.transaction(async (tx) => {
    const fresh = await appendTimeline(tx, { eventId: event.id, orderId: event.data.orderId, type: event.type, time: new Date(event.time) });
    if (!fresh) return "duplicate";
    const order = await findOrder(tx, event.data.orderId, { forUpdate: true });
    if (!order) {
      console.warn(`order: ${event.type} ${event.id} for unknown order ${event.data.orderId}; recorded on the timeline only`);
      return "processed";
    }
    const next = evolve(order, event);
    if (!next) return "processed";
    await updateOrderStatus(tx, order.id, { status: next.status, reason: next.reason ?? null, updatedAt: deps.clock.now() });
    if (next.status === "cancelled" && next.reason) {
      const cancelled = newEvent(
        "com.example.order.cancelled",
        { orderId: order.id, userId: order.userId, reason: next.reason },
        { id: deps.ids.next(), time: deps.clock.now(), cause: event },
      );
      await enqueue(tx, outbox, [cancelled]);
    }
    return "processed";
  });
}
