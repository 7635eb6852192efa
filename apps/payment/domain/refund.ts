import { type Decision, reject } from "../../../lib/domain/index.ts";
import { escalated, refunded } from "./published.ts";
import { describeFailure, retryAt } from "./retry.ts";
import type { PaymentEvent, PaymentInput, PaymentState, RefundReason } from "./types.ts";

type Input<T extends PaymentInput["type"]> = Extract<PaymentInput, { type: T }>;

/**
 * The saga's compensation (docs/architecture.md#saga-and-compensation). Both causes and every
 * redelivery share one key, so the money comes back once; the request is recorded before the call
 * (status refunding), so a refund that fails is retried, never forgotten.
 */
export function requestRefund(orderId: string, reason: RefundReason, now: Date, state: PaymentState): Decision<PaymentEvent> {
  switch (state.status) {
    case "completed":
      return [{ type: "RefundRequested", idempotencyKey: `refund-${orderId}`, chargeId: state.chargeId, amount: state.intent.amount, reason, at: now }];
    case "refunding":
    case "refunded":
    case "needs_attention":
      // Asked for already, done, or in a person's hands.
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

export function settleRefund({ refund, now }: Input<"RefundAnswered">, state: PaymentState): PaymentEvent[] {
  if (state.status !== "refunding") return [];
  return [refunded(state.intent, refund.refundId, state.refund.reason, now)];
}

/**
 * A refund that failed is tried again with backoff while a retry may succeed, at most
 * `maxAttempts` times; then, or at once when the gateway refused it for good, a person is told.
 */
export function refundFailed({ failure, policy, now }: Input<"RefundFailed">, state: PaymentState): PaymentEvent[] {
  if (state.status !== "refunding") return [];
  const attempts = state.refund.attempts + 1;
  if (!failure.retryable || attempts >= policy.maxAttempts) {
    return [escalated(state.intent, "refund_failed", `${attempts} attempts, the last: ${describeFailure(failure)}`, now)];
  }
  return [{ type: "RefundDeferred", attempts, lastError: describeFailure(failure), retryAt: retryAt(now, attempts, policy), at: now }];
}
