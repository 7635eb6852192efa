import { type DomainEvent, newEvent } from "../../../lib/events/index.ts";
import type { OrderDeps } from "../deps.ts";
import type { Order, OrderEvent } from "../domain/order.ts";
import type { FollowedEvent } from "../domain/order-status.ts";
import type { OrderStatusChange } from "../store/orders.ts";

/**
 * What a decision on an order writes: the row's new status (with why and since when, when it needs
 * attention, for staff) and the order.cancelled events it publishes, caused by `cause`. The one
 * place both the one-by-one handler (apply-event.ts) and the batch (apply-batch.ts) take it from.
 */
export function decidedEffects(deps: OrderDeps, cause: FollowedEvent, decision: OrderEvent[], next: Order, now: Date) {
  const attention = decision.find((event) => event.type === "order.needs_attention");
  const waiting = attention ? { attentionDetail: attention.detail, attentionSince: attention.since } : {};
  const change: OrderStatusChange = { orderId: next.orderId, status: next.status, reason: next.reason, updatedAt: now, ...waiting };
  const cancellations: DomainEvent[] = decision.flatMap((event) =>
    event.type === "com.example.order.cancelled" ? [newEvent("com.example.order.cancelled", event.data, { id: deps.ids.next(), time: now, cause })] : [],
  );
  return { change, cancellations };
}
