import { outbox, processedEvents } from "../store/schema.ts";
import { type EventOf, newEvent } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/event-webhook.ts";
import { claimEvent, enqueue } from "../../../lib/outbox/enqueue.ts";
import type { PaymentDeps } from "../deps.ts";
import { transition, upsertPaymentIntent } from "../store/payments.ts";

/**
 * order.created → charge once (seed mission 4.1, without its race):
 * 1. record the intent with a fixed idempotency key (unique per order) before touching money;
 * 2. charge with that key: a concurrent or repeated delivery gets the same charge from the gateway;
 * 3. move charging → completed|failed and emit the result in one transaction; only the delivery
 *    that wins this transition emits.
 */
export async function chargeOrder(deps: PaymentDeps, event: EventOf<"com.example.order.created">): Promise<Outcome> {
  const { orderId, userId, totalAmount, currency, payment, items, shippingAddress } = event.data;
  const now = deps.clock.now();
  const intent = await upsertPaymentIntent(deps.db, {
    id: `pay_${deps.ids.next()}`,
    orderId,
    userId,
    idempotencyKey: `pay-${orderId}`,
    amount: totalAmount,
    currency,
    method: payment.method,
    status: "charging",
    createdAt: now,
    updatedAt: now,
  });
  if (intent.status !== "charging") return "duplicate";

  const charge = await deps.gateway.charge({
    idempotencyKey: intent.idempotencyKey,
    orderId,
    amount: intent.amount,
    currency,
    method: payment.method,
    ...(payment.token ? { token: payment.token } : {}),
  });

  return deps.db.transaction(async (tx) => {
    const succeeded = charge.status === "succeeded";
    const moved = await transition(tx, orderId, "charging", {
      status: succeeded ? "completed" : "failed",
      chargeId: charge.chargeId,
      transactionId: charge.transactionId ?? null,
      declineCode: charge.declineCode ?? null,
      updatedAt: deps.clock.now(),
    });
    if (!moved) return "duplicate";
    await claimEvent(tx, processedEvents, event);
    const context = { id: deps.ids.next(), time: deps.clock.now(), cause: event };
    const base = { paymentId: intent.id, orderId, userId, amount: intent.amount, currency, method: payment.method };
    const result = succeeded
      ? newEvent("com.example.payment.completed", {
          ...base,
          transactionId: charge.transactionId!,
          items: items.map(({ productId, quantity }) => ({ productId, quantity })),
          shippingAddress,
        }, context)
      : newEvent("com.example.payment.failed", { ...base, code: charge.declineCode ?? "declined" }, context);
    await enqueue(tx, outbox, [result]);
    return "processed";
  });
}
