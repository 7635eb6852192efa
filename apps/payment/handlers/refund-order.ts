import { isRejection } from "../../../lib/domain/index.ts";
import type { EventOf } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/index.ts";
import { eventFields } from "../../../lib/log/index.ts";
import type { PaymentDeps } from "../deps.ts";
import { paymentDecider } from "../domain/payment.ts";
import type { RefundRequested } from "../domain/types.ts";
import { loadPayment } from "../store/payments.ts";
import { eventsOrThrow, writeSettlement } from "./write-settlement.ts";

type RefundCause = EventOf<"com.example.stock.insufficient"> | EventOf<"com.example.stock.released">;

/**
 * stock.insufficient or stock.released (the reservation expired) → the saga's compensation: give
 * the money back (docs/architecture.md#saga-and-compensation). The refund key is fixed per order,
 * so repeated deliveries, or both causes, ask the gateway for the same refund; only the delivery
 * that moves completed → refunded emits payment.refunded (and the order is then cancelled).
 */
export async function refundOrder(deps: PaymentDeps, event: RefundCause): Promise<Outcome> {
  const { orderId } = event.data;
  const state = await loadPayment(deps.db, orderId);
  const type = event.type === "com.example.stock.insufficient" ? "StockInsufficient" : "StockReleased";
  const decision = paymentDecider.decide({ type, orderId }, state);
  if (isRejection(decision)) {
    // Consumed, not retried: a payment that never completed has no money to give back.
    deps.log.warn({ ...eventFields(event), ...decision }, "payment: no refund");
    return "processed";
  }
  const requested = decision.find((e): e is RefundRequested => e.type === "RefundRequested");
  if (!requested) return "duplicate";
  const { idempotencyKey, chargeId, amount, reason } = requested;
  const refund = await deps.gateway.refund({ idempotencyKey, chargeId, amount });
  const answered = paymentDecider.decide({ type: "RefundAnswered", refund, reason, now: deps.clock.now() }, paymentDecider.evolve(state, requested));
  return writeSettlement(deps, event, eventsOrThrow(answered));
}
