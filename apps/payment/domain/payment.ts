import type { Decider, Decision } from "../../../lib/domain/index.ts";
import { chargeNotFound, lookupFailed, refuseCharge, requestCharge, settleCharge } from "./charge.ts";
import { refundFailed, requestRefund, settleRefund } from "./refund.ts";
import type { PaymentEvent, PaymentInput, PaymentState, PublishedPaymentEvent } from "./types.ts";

/**
 * The payment rules for one order, on its state in memory: charge once, record the gateway's
 * answer once, settle what the gateway left unanswered, refund only a completed payment and keep
 * at it, and hand to a person what cannot finish on its own (docs/architecture.md#saga-and-compensation).
 * Nothing here reads a clock, makes an id or touches I/O.
 */
export function decide(input: PaymentInput, state: PaymentState): Decision<PaymentEvent> {
  switch (input.type) {
    case "OrderCreated":
      return requestCharge(input, state);
    case "ChargeAnswered":
      return settleCharge(input, state);
    case "ChargeRefused":
      return refuseCharge(input, state);
    case "ChargeNotFound":
      return chargeNotFound(input, state);
    case "LookupFailed":
      return lookupFailed(input, state);
    case "StockInsufficient":
      return requestRefund(input.orderId, "out_of_stock", input.now, state);
    case "StockReleased":
      return requestRefund(input.orderId, "reservation_expired", input.now, state);
    case "RefundAnswered":
      return settleRefund(input, state);
    case "RefundFailed":
      return refundFailed(input, state);
    default: {
      const unreachable: never = input;
      return unreachable;
    }
  }
}

export function evolve(state: PaymentState, event: PaymentEvent): PaymentState {
  switch (event.type) {
    case "ChargeRequested":
      if (state.status === "none") return { status: "charging", intent: event.intent, lookups: 0 };
      return state.status === "charging" ? { ...state, intent: event.intent } : state;
    case "LookupDeferred":
      return state.status === "charging" ? { ...state, lookups: event.lookups } : state;
    case "com.example.payment.completed":
      return state.status === "charging" ? { status: "completed", intent: state.intent, chargeId: event.chargeId } : state;
    case "com.example.payment.failed":
      return state.status === "charging" ? { status: "failed", intent: state.intent } : state;
    case "RefundRequested":
      if (state.status !== "completed") return state;
      return { ...state, status: "refunding", refund: { idempotencyKey: event.idempotencyKey, reason: event.reason, attempts: 0 } };
    case "RefundDeferred":
      return state.status === "refunding" ? { ...state, refund: { ...state.refund, attempts: event.attempts } } : state;
    case "com.example.payment.refunded":
      return state.status === "refunding" ? { status: "refunded", intent: state.intent } : state;
    case "com.example.payment.escalated":
      return state.status === "charging" || state.status === "refunding" ? { status: "needs_attention", intent: state.intent, reason: event.data.reason } : state;
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

/** The events other services receive; the rest are requests to the gateway and their bookkeeping. */
export function isPublished(event: PaymentEvent): event is PublishedPaymentEvent {
  return event.type.startsWith("com.example.");
}
