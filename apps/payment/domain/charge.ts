import { type Decision, reject } from "../../../lib/domain/index.ts";
import { GatewayErrorCode } from "../../../lib/payment-gateway/index.ts";
import { completed, escalated, failed } from "./published.ts";
import { describeFailure, retryAt } from "./retry.ts";
import type { Fulfilment, PaymentEvent, PaymentInput, PaymentIntent, PaymentState } from "./types.ts";

type Input<T extends PaymentInput["type"]> = Extract<PaymentInput, { type: T }>;

/**
 * Charge once, under the key fixed per order. Still charging: the first call may have timed out
 * after the charge happened, and asking again with the same intent (the same key) finds that
 * charge instead of making another.
 */
export function requestCharge({ order, paymentId, now }: Input<"OrderCreated">, state: PaymentState): PaymentEvent[] {
  const token = order.payment.token ? { token: order.payment.token } : {};
  const fulfilment: Fulfilment = { items: order.items.map(({ productId, quantity }) => ({ productId, quantity })), shippingAddress: order.shippingAddress };
  if (state.status === "charging") {
    return [{ type: "ChargeRequested", intent: { ...state.intent, fulfilment: state.intent.fulfilment ?? fulfilment }, ...token, at: now }];
  }
  if (state.status !== "none") return [];
  const intent: PaymentIntent = {
    paymentId,
    orderId: order.orderId,
    userId: order.userId,
    idempotencyKey: `pay-${order.orderId}`,
    amount: order.totalAmount,
    currency: order.currency,
    method: order.payment.method,
    fulfilment,
  };
  return [{ type: "ChargeRequested", intent, ...token, at: now }];
}

/** The gateway's charge, from the charge call or a lookup: only a payment waiting on it moves. */
export function settleCharge({ charge, now }: Input<"ChargeAnswered">, state: PaymentState): Decision<PaymentEvent> {
  if (state.status !== "charging") return [];
  const { intent } = state;
  if (charge.status === "declined") {
    const row = { chargeId: charge.chargeId, transactionId: charge.transactionId ?? null, declineCode: charge.declineCode ?? null };
    return [failed(intent, charge.declineCode ?? "declined", row, now)];
  }
  if (!charge.transactionId) return reject("payment.charge_without_transaction", `charge ${charge.chargeId} succeeded without a transaction id`);
  // Inventory reserves and shipping ships from payment.completed alone: without the items and the
  // address the money is taken and nothing can follow, which a person must sort out.
  if (!intent.fulfilment) return [escalated(intent, "charge_unresolved", `charged (${charge.chargeId}), but the order's items and address were not kept with the payment`, now)];
  return [completed(intent, intent.fulfilment, { chargeId: charge.chargeId, transactionId: charge.transactionId }, now)];
}

/**
 * The gateway refused the charge request for good, so nothing was charged under it: the payment
 * fails with the gateway's code. Except when the key names another charge: money may have moved
 * under it, which only a person can untangle.
 */
export function refuseCharge({ failure, now }: Input<"ChargeRefused">, state: PaymentState): PaymentEvent[] {
  if (state.status !== "charging") return [];
  if (failure.code === GatewayErrorCode.idempotencyMismatch) return [escalated(state.intent, "charge_conflict", describeFailure(failure), now)];
  return [failed(state.intent, failure.code, { chargeId: null, transactionId: null, declineCode: null }, now)];
}

/** A lookup found no charge under the key: it was never made, and now never will be. */
export function chargeNotFound({ now }: Input<"ChargeNotFound">, state: PaymentState): PaymentEvent[] {
  if (state.status !== "charging") return [];
  return [failed(state.intent, "not_charged", { chargeId: null, transactionId: null, declineCode: null }, now)];
}

/** A lookup that could not tell: look again later, or, after `maxAttempts`, hand it to a person. */
export function lookupFailed({ failure, policy, now }: Input<"LookupFailed">, state: PaymentState): PaymentEvent[] {
  if (state.status !== "charging") return [];
  const lookups = state.lookups + 1;
  if (lookups >= policy.maxAttempts) return [escalated(state.intent, "charge_unresolved", `${lookups} lookups, the last: ${describeFailure(failure)}`, now)];
  return [{ type: "LookupDeferred", lookups, lastError: describeFailure(failure), retryAt: retryAt(now, lookups, policy), at: now }];
}
