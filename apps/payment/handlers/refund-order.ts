import { outbox, processedEvents } from "../store/schema.ts";
import { type EventOf, newEvent } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/event-webhook.ts";
import { claimEvent, enqueue } from "../../../lib/outbox/enqueue.ts";
import type { PaymentDeps } from "../deps.ts";
import { findPayment, transition } from "../store/payments.ts";

type RefundCause = EventOf<"com.example.stock.insufficient"> | EventOf<"com.example.stock.released">;

const reasonOf = (event: RefundCause) => (event.type === "com.example.stock.insufficient" ? "out_of_stock" : "reservation_expired");

/**
 * stock.insufficient or stock.released (the reservation expired) → the saga's compensation: give
 * the money back. The refund key is fixed per order, so repeated deliveries, or both causes, ask
 * the gateway for the same refund; only the delivery that moves completed → refunded emits
 * payment.refunded (and the order is then cancelled with the reason).
 */
export async function refundOrder(deps: PaymentDeps, event: RefundCause): Promise<Outcome> {
  const payment = await findPayment(deps.db, event.data.orderId);
  if (payment?.status === "refunded") return "duplicate";
  if (!payment || payment.status !== "completed" || !payment.chargeId) {
    console.warn(`payment: ${event.type} for order ${event.data.orderId} whose payment is ${payment?.status ?? "unknown"}; nothing to refund`);
    return "processed";
  }
  const refund = await deps.gateway.refund({ idempotencyKey: `refund-${payment.orderId}`, chargeId: payment.chargeId, amount: payment.amount });
  return deps.db.transaction(async (tx) => {
    const moved = await transition(tx, payment.orderId, "completed", { status: "refunded", refundId: refund.refundId, updatedAt: deps.clock.now() });
    if (!moved) return "duplicate";
    await claimEvent(tx, processedEvents, event);
    const refunded = newEvent(
      "com.example.payment.refunded",
      {
        paymentId: payment.id,
        orderId: payment.orderId,
        userId: payment.userId,
        amount: payment.amount,
        currency: payment.currency,
        refundId: refund.refundId,
        reason: reasonOf(event),
      },
      { id: deps.ids.next(), time: deps.clock.now(), cause: event },
    );
    await enqueue(tx, outbox, [refunded]);
    return "processed";
  });
}
