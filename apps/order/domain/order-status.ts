import { type AttentionReason, type CancellationReason, type EventOf, eventInstant } from "../../../lib/events/index.ts";

export const orderStatuses = ["pending", "paid", "reserved", "shipped", "cancelled", "needs_attention"] as const;
export type OrderStatus = (typeof orderStatuses)[number];

/** Every event the order follows: the saga's state moves on these (docs/architecture.md#saga-and-compensation). */
export type FollowedEvent = EventOf<
  | "com.example.payment.completed"
  | "com.example.payment.failed"
  | "com.example.payment.refunded"
  | "com.example.payment.escalated"
  | "com.example.stock.reserved"
  | "com.example.stock.insufficient"
  | "com.example.stock.released"
  | "com.example.shipment.created"
>;

/** Where an event would take an order: forward along the flow, to cancelled with a reason, or to a person. */
export type Target =
  | { status: "paid" | "reserved" | "shipped" }
  | { status: "cancelled"; reason: CancellationReason }
  | { status: "needs_attention"; reason: AttentionReason; detail: string; since: Date };

/**
 * The legal moves of an order. Forward only along the flow (events of different topics arrive in
 * any order, and a late or duplicate one must not move an order backwards); to cancelled, or to
 * needs_attention when the saga cannot finish on its own, from any open status. shipped and
 * cancelled are ends; needs_attention is one for the flow too: from there a person takes over.
 */
export const legalMoves: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ["paid", "reserved", "shipped", "cancelled", "needs_attention"],
  paid: ["reserved", "shipped", "cancelled", "needs_attention"],
  reserved: ["shipped", "cancelled", "needs_attention"],
  shipped: [],
  cancelled: [],
  needs_attention: [],
};

export function mayMove(from: OrderStatus, to: OrderStatus): boolean {
  return legalMoves[from].includes(to);
}

/** The status an event asks for, or undefined when it moves no order by itself. */
export function targetOf(event: FollowedEvent): Target | undefined {
  switch (event.type) {
    case "com.example.payment.completed":
      return { status: "paid" };
    case "com.example.payment.failed":
      return { status: "cancelled", reason: "payment_failed" };
    case "com.example.stock.reserved":
      return { status: "reserved" };
    case "com.example.payment.refunded":
      // Stock ran out after payment, or the reservation expired: the order is cancelled once the
      // money is back, with the refund's reason.
      return { status: "cancelled", reason: event.data.reason };
    case "com.example.payment.escalated":
      // A charge that never resolved, or a refund that kept failing: it waits for a person, since then.
      return { status: "needs_attention", reason: event.data.reason, detail: event.data.detail, since: eventInstant(event.time) };
    case "com.example.shipment.created":
      return { status: "shipped" };
    case "com.example.stock.insufficient":
    case "com.example.stock.released":
      // Payment refunds on these; the order waits for payment.refunded, so it is never cancelled
      // while the money is still held.
      return undefined;
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}
