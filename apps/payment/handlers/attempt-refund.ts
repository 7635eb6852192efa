import type { Outcome } from "../../../lib/http/index.ts";
import type { PaymentDeps } from "../deps.ts";
import { paymentDecider } from "../domain/payment.ts";
import type { PaymentInput, PaymentState } from "../domain/types.ts";
import { recoveryPolicy } from "../recovery.ts";
import { failureOf } from "./gateway-failure.ts";
import { eventsOrThrow, type WriteContext, writeDecided } from "./write-decided.ts";

type Refunding = Extract<PaymentState, { status: "refunding" }>;

/**
 * One attempt at a refund recorded as refunding, under its fixed key (a refund asked for twice
 * happens once): refunded and payment.refunded, or the failure recorded for the next attempt, or,
 * when the gateway refused it for good or the attempts ran out, payment.escalated.
 */
export async function attemptRefund(deps: PaymentDeps, state: Refunding, context: WriteContext): Promise<Outcome> {
  const { orderId, amount } = state.intent;
  let answer: PaymentInput;
  try {
    const refund = await deps.gateway.refund({ idempotencyKey: state.refund.idempotencyKey, chargeId: state.chargeId, amount });
    answer = { type: "RefundAnswered", refund, now: deps.clock.now() };
  } catch (error) {
    const policy = (deps.recovery ?? recoveryPolicy()).refund;
    answer = { type: "RefundFailed", failure: failureOf(error, deps.log, orderId), policy, now: deps.clock.now() };
  }
  return writeDecided(deps, orderId, eventsOrThrow(paymentDecider.decide(answer, state)), context);
}
