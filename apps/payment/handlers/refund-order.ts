import { isRejection } from "../../../lib/domain/index.ts";
import type { EventOf } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/index.ts";
import { eventFields } from "../../../lib/log/index.ts";
import type { PaymentDeps } from "../deps.ts";
import { paymentDecider } from "../domain/payment.ts";
import type { RefundRequested } from "../domain/types.ts";
import { recoveryPolicy } from "../recovery.ts";
import { loadPayment } from "../store/payments.ts";
import { attemptRefund } from "./attempt-refund.ts";
import { writeDecided } from "./write-decided.ts";

type RefundCause = EventOf<"com.example.stock.insufficient"> | EventOf<"com.example.stock.released">;

/**
 * stock.insufficient or stock.released → the saga's compensation: give the money back
 * (docs/architecture.md#saga-and-compensation).
 * 1. Record the refund (status refunding, its fixed key, the cause claimed) in one transaction:
 *    only one delivery wins it, and from then on the refund cannot be forgotten.
 * 2. Ask the gateway at once. Refunded: payment.refunded (the order is cancelled). Failed: the
 *    event is still consumed; the reconciler retries with backoff, then escalates.
 */
export async function refundOrder(deps: PaymentDeps, event: RefundCause): Promise<Outcome> {
  const { orderId } = event.data;
  const state = await loadPayment(deps.db, orderId);
  const now = deps.clock.now();
  const type = event.type === "com.example.stock.insufficient" ? "StockInsufficient" : "StockReleased";
  const decision = paymentDecider.decide({ type, orderId, now }, state);
  if (isRejection(decision)) {
    // Consumed, not retried: a payment that never completed has no money to give back.
    deps.log.warn({ ...eventFields(event), ...decision }, "payment: no refund");
    return "processed";
  }
  const requested = decision.find((e): e is RefundRequested => e.type === "RefundRequested");
  if (!requested) return "duplicate";
  const leaseUntil = new Date(now.getTime() + (deps.recovery ?? recoveryPolicy()).staleAfterMs);
  if ((await writeDecided(deps, orderId, [requested], { claim: event, cause: event, leaseUntil })) === "duplicate") return "duplicate";
  const refunding = paymentDecider.evolve(state, requested);
  if (refunding.status === "refunding") await attemptRefund(deps, refunding, { cause: event });
  return "processed";
}
