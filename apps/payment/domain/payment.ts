import { type Decider, type Decision, reject } from "../../../lib/domain/index.ts";
import type { PaymentEvent, PaymentInput, PaymentIntent, PaymentState, PublishedPaymentEvent, RefundReason } from "./types.ts";

type Input<T extends PaymentInput["type"]> = Extract<PaymentInput, { type: T }>;

/**
 * The payment rules for one order, on its state in memory: charge once, record the gateway's
 * answer once, refund only a completed payment (docs/architecture.md#saga-and-compensation). A
 * batch handler can load the states of many orders, decide input by input (folding with `evolve`)
 * and write the results set-based; nothing here reads a clock, makes an id or touches I/O.
 */
export function decide(input: PaymentInput, state: PaymentState): Decision<PaymentEvent> {
  switch (input.type) {
    case "OrderCreated":
      return requestCharge(input, state);
    case "ChargeAnswered":
      return settleCharge(input, state);
    case "StockInsufficient":
      return requestRefund(input.orderId, "out_of_stock", state);
    case "StockReleased":
      return requestRefund(input.orderId, "reservation_expired", state);
    case "RefundAnswered":
      return settleRefund(input, state);
    default: {
      const unreachable: never = input;
      return unreachable;
    }
  }
}

function requestCharge({ order, paymentId, now }: Input<"OrderCreated">, state: PaymentState): PaymentEvent[] {
  const token = order.payment.token ? { token: order.payment.token } : {};
  // Still charging: the first call may have timed out after the charge happened. Asking again with
  // the same intent (the same key) finds that charge instead of making another.
  if (state.status === "charging") return [{ type: "ChargeRequested", intent: state.intent, ...token, at: now }];
  if (state.status !== "none") return [];
  const intent: PaymentIntent = {
    paymentId,
    orderId: order.orderId,
    userId: order.userId,
    idempotencyKey: `pay-${order.orderId}`,
    amount: order.totalAmount,
    currency: order.currency,
    method: order.payment.method,
  };
  return [{ type: "ChargeRequested", intent, ...token, at: now }];
}

/** Only a payment waiting on its charge moves; a late or repeated answer changes nothing. */
function settleCharge({ order, charge, now }: Input<"ChargeAnswered">, state: PaymentState): Decision<PaymentEvent> {
  if (state.status !== "charging") return [];
  const { paymentId, orderId, userId, amount, currency, method } = state.intent;
  const base = { paymentId, orderId, userId, amount, currency, method };
  if (charge.status === "declined") {
    const failed = { ...base, code: charge.declineCode ?? "declined" };
    const row = { chargeId: charge.chargeId, transactionId: charge.transactionId ?? null, declineCode: charge.declineCode ?? null };
    return [{ type: "com.example.payment.failed", data: failed, ...row, at: now }];
  }
  if (!charge.transactionId) return reject("payment.charge_without_transaction", `charge ${charge.chargeId} succeeded without a transaction id`);
  // Inventory reserves and shipping ships from this event alone (docs/architecture.md#events-and-topics).
  const items = order.items.map(({ productId, quantity }) => ({ productId, quantity }));
  const completed = { ...base, transactionId: charge.transactionId, items, shippingAddress: order.shippingAddress };
  return [{ type: "com.example.payment.completed", data: completed, chargeId: charge.chargeId, at: now }];
}

/** Both causes and every redelivery share one key, so the money comes back once. */
function requestRefund(orderId: string, reason: RefundReason, state: PaymentState): Decision<PaymentEvent> {
  switch (state.status) {
    case "completed":
      return [{ type: "RefundRequested", idempotencyKey: `refund-${orderId}`, chargeId: state.chargeId, amount: state.intent.amount, reason }];
    case "refunded":
      return [];
    case "none":
      return reject("payment.nothing_to_refund", "the order has no payment; nothing to refund");
    case "charging":
    case "failed":
      return reject("payment.nothing_to_refund", `the payment is ${state.status}; nothing to refund`);
    default: {
      const unreachable: never = state;
      return unreachable;
    }
  }
}

function settleRefund({ refund, reason, now }: Input<"RefundAnswered">, state: PaymentState): PaymentEvent[] {
  if (state.status !== "completed") return [];
  const { paymentId, orderId, userId, amount, currency } = state.intent;
  const data = { paymentId, orderId, userId, amount, currency, refundId: refund.refundId, reason };
  return [{ type: "com.example.payment.refunded", data, at: now }];
}

export function evolve(state: PaymentState, event: PaymentEvent): PaymentState {
  switch (event.type) {
    case "ChargeRequested":
      return state.status === "none" ? { status: "charging", intent: event.intent } : state;
    case "com.example.payment.completed":
      return state.status === "charging" ? { status: "completed", intent: state.intent, chargeId: event.chargeId } : state;
    case "com.example.payment.failed":
      return state.status === "charging" ? { status: "failed", intent: state.intent } : state;
    case "RefundRequested":
      return state;
    case "com.example.payment.refunded":
      return state.status === "completed" ? { status: "refunded", intent: state.intent } : state;
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

export const paymentDecider: Decider<PaymentState, PaymentInput, PaymentEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: "none" }),
};

/** The events other services receive; the rest are requests to the gateway. */
export function isPublished(event: PaymentEvent): event is PublishedPaymentEvent {
  return event.type.startsWith("com.example.");
}
