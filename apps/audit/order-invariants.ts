import type { FollowedEvent, OrderStatus } from "../order/domain/order-status.ts";
import { mayMove } from "../order/domain/order-status.ts";
import type { AuditState } from "./audit-state.ts";
import { type Breach, breachOf } from "./breach.ts";

/**
 * Where an order ends: shipped or cancelled, or `needs_attention`, where the saga stopped on
 * purpose and a person takes over (it is listed by GET /admin/orders?status=needs_attention).
 */
const terminalStatuses = new Set(["shipped", "cancelled", "needs_attention"]);

/** After quiescence no accepted order is still on its way. */
export function acceptedOrdersTerminal(state: AuditState): Breach[] {
  const breach = breachOf("accepted-orders-terminal");
  return state.orders
    .filter((order) => !terminalStatuses.has(order.status))
    .map((order) => breach(`order ${order.id}`, `status ${order.status}`, "shipped, cancelled or needs_attention"));
}

/**
 * Where each event the order follows asks to take it (the domain's `targetOf`, which needs the
 * whole event; the timeline keeps its type only). A Record over the union: a new followed event
 * does not compile until it is placed here.
 */
const targetOfType: Record<FollowedEvent["type"], OrderStatus | undefined> = {
  "com.example.payment.completed": "paid",
  "com.example.payment.failed": "cancelled",
  "com.example.payment.refunded": "cancelled",
  "com.example.payment.escalated": "needs_attention",
  "com.example.stock.reserved": "reserved",
  "com.example.stock.insufficient": undefined,
  "com.example.stock.released": undefined,
  "com.example.shipment.created": "shipped",
};

const isFollowed = (type: string): type is FollowedEvent["type"] => Object.hasOwn(targetOfType, type);

/**
 * The order's timeline replayed through the domain's rule of legal moves (`mayMove`) must end in
 * the stored status: a status written around the state machine shows here. The timeline is read
 * back by event time, which is the order of arrival while the producers' clocks agree (one process,
 * or hosts kept in step by NTP).
 */
export function legalTransitions(state: AuditState): Breach[] {
  const breach = breachOf("legal-transitions");
  return state.orders.flatMap((order) => {
    const replayed = replayStatus(state.timeline.get(order.id) ?? []);
    if ("unknown" in replayed) return [breach(`order ${order.id}`, `event ${replayed.unknown} on its timeline`, "only order.created and the events an order follows")];
    if (replayed.status === order.status) return [];
    const expected = replayed.status === "none" ? "an order.created on its timeline" : `${replayed.status}, as its timeline replays`;
    return [breach(`order ${order.id}`, `status ${order.status}`, expected)];
  });
}

type Replayed = { status: OrderStatus | "none" } | { unknown: string };

export function replayStatus(types: readonly string[]): Replayed {
  let status: OrderStatus | "none" = "none";
  for (const type of types) {
    if (type === "com.example.order.created") {
      if (status === "none") status = "pending";
      continue;
    }
    if (!isFollowed(type)) return { unknown: type };
    const target = targetOfType[type];
    // Before its order.created an event moves nothing: the order rejects it as not found.
    if (target && status !== "none" && mayMove(status, target)) status = target;
  }
  return { status };
}
