import { type Decider, type Decision, reject } from "../../../lib/domain/index.ts";
import type { AttentionReason, CancellationReason, DataOf } from "../../../lib/events/index.ts";
import { type FollowedEvent, mayMove, type OrderStatus, targetOf } from "./order-status.ts";
import { decidePlaceOrder, type PlaceOrderCommand } from "./place-order.ts";

/** An order as its decisions need it; `none` before it is placed. */
export type OrderState = { status: "none" } | Order;
/** `reason`: why it was cancelled, or why it needs attention. */
export type Order = { status: OrderStatus; orderId: string; userId: string; reason: CancellationReason | AttentionReason | null };

/**
 * What happens to an order. Created and cancelled are published: they carry their catalogue type
 * and `data`, and the handler adds the envelope. `order.moved` (paid, reserved, shipped) and
 * `order.needs_attention` only change the order's row.
 */
export type OrderEvent =
  | OrderCreated
  | { type: "order.moved"; status: "paid" | "reserved" | "shipped" }
  | { type: "com.example.order.cancelled"; data: DataOf<"com.example.order.cancelled"> }
  | OrderNeedsAttention;

export type OrderCreated = { type: "com.example.order.created"; data: DataOf<"com.example.order.created">; at: Date };
/** The saga cannot finish on its own: the order waits for a person, with why and since when. */
export type OrderNeedsAttention = { type: "order.needs_attention"; reason: AttentionReason; detail: string; since: Date };

export type OrderInput = PlaceOrderCommand | FollowedEvent;

/**
 * The order and its saga's state (docs/architecture.md#saga-and-compensation). One input and one
 * order at a time, nothing else touched: a batch is the same calls over states loaded together.
 */
export const orderDecider: Decider<OrderState, OrderInput, OrderEvent> = {
  decide: (input, state) => (input.type === "PlaceOrder" ? decidePlaceOrder(input, state) : decideOnEvent(input, state)),
  evolve,
  initialState: () => ({ status: "none" }),
};

/** Another service's event moves the order when the state machine allows; a cancellation is published. */
function decideOnEvent(event: FollowedEvent, state: OrderState): Decision<OrderEvent> {
  if (state.status === "none") return reject("order.not_found", `no order ${event.data.orderId}`);
  const target = targetOf(event);
  if (!target || !mayMove(state.status, target.status)) return [];
  switch (target.status) {
    case "cancelled":
      return [{ type: "com.example.order.cancelled", data: { orderId: state.orderId, userId: state.userId, reason: target.reason } }];
    case "needs_attention":
      return [{ type: "order.needs_attention", reason: target.reason, detail: target.detail, since: target.since }];
    default:
      return [{ type: "order.moved", status: target.status }];
  }
}

function evolve(state: OrderState, event: OrderEvent): OrderState {
  switch (event.type) {
    case "com.example.order.created":
      return { status: "pending", orderId: event.data.orderId, userId: event.data.userId, reason: null };
    case "order.moved":
      return state.status === "none" ? state : { ...state, status: event.status };
    case "com.example.order.cancelled":
      return state.status === "none" ? state : { ...state, status: "cancelled", reason: event.data.reason };
    case "order.needs_attention":
      return state.status === "none" ? state : { ...state, status: "needs_attention", reason: event.reason };
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}
