import type { CancellationReason, EventOf } from "../../../lib/events/index.ts";

export type OrderStatus = "pending" | "paid" | "reserved" | "shipped" | "cancelled";

/** Every event the order follows: the saga's state moves on these (docs/architecture.md#saga-and-compensation). */
export type FollowedEvent = EventOf<
  | "com.example.payment.completed"
  | "com.example.payment.failed"
  | "com.example.payment.refunded"
  | "com.example.stock.reserved"
  | "com.example.stock.insufficient"
  | "com.example.stock.released"
  | "com.example.shipment.created"
>;

/** Where an event would take an order: forward along the flow, or to cancelled with a reason. */
export type Target = { status: "paid" | "reserved" | "shipped" } | { status: "cancelled"; reason: CancellationReason };

const progress: Record<OrderStatus, number> = { pending: 0, paid: 1, reserved: 2, shipped: 3, cancelled: 3 };

function isTerminal(status: OrderStatus): boolean {
  return status === "shipped" || status === "cancelled";
}

/**
 * Whether an order may go from `from` to `to`. A terminal order never moves; otherwise a
 * cancellation always may, and any other move only forward: events of different topics arrive in
 * any order, and a late or duplicate one must not move an order backwards.
 */
export function mayMove(from: OrderStatus, to: OrderStatus): boolean {
  if (isTerminal(from)) return false;
  return to === "cancelled" || progress[to] > progress[from];
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
