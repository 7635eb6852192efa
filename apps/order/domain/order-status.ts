import type { CancellationReason, DomainEvent } from "../../../lib/events/index.ts";

export type OrderStatus = "pending" | "paid" | "reserved" | "shipped" | "cancelled";
export type OrderState = { status: OrderStatus; reason?: CancellationReason | null };

const progress: Record<OrderStatus, number> = { pending: 0, paid: 1, reserved: 2, shipped: 3, cancelled: 3 };

export function isTerminal(status: OrderStatus): boolean {
  return status === "shipped" || status === "cancelled";
}

/**
 * The saga's state machine. Returns the new state, or undefined when the event changes nothing:
 * a terminal order never moves, and a late or duplicate event never moves an order backwards
 * (events of different topics can arrive in any order).
 */
export function evolve(state: OrderState, event: DomainEvent): OrderState | undefined {
  const next = target(event);
  if (!next || isTerminal(state.status)) return undefined;
  if (next.status !== "cancelled" && progress[next.status] <= progress[state.status]) return undefined;
  return next;
}

function target(event: DomainEvent): OrderState | undefined {
  switch (event.type) {
    case "com.example.payment.completed":
      return { status: "paid" };
    case "com.example.payment.failed":
      return { status: "cancelled", reason: "payment_failed" };
    case "com.example.stock.reserved":
      return { status: "reserved" };
    case "com.example.payment.refunded":
      // Stock ran out after payment, or the reservation expired: the order is cancelled once the
      // money is back (the saga's compensation).
      return { status: "cancelled", reason: event.data.reason };
    case "com.example.shipment.created":
      return { status: "shipped" };
    case "com.example.stock.insufficient":
    case "com.example.stock.released":
    case "com.example.order.created":
    case "com.example.order.cancelled":
      return undefined;
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}
