import * as v from "valibot";
import { currency, id, newEvent, orderItem, paymentMethod, shippingAddress } from "../../../lib/events/index.ts";
import { enqueue } from "../../../lib/outbox/enqueue.ts";
import { outbox } from "../store/schema.ts";
import { AppError } from "../../../lib/errors/app-error.ts";
import type { OrderDeps } from "../deps.ts";
import { appendTimeline, findOrderByIdempotencyKey, insertOrder, type OrderRow } from "../store/orders.ts";

/** The most one order may total (minor units); amounts are stored in 32-bit columns. */
export const maxOrderTotal = 1_000_000_000;

export const placeOrderBody = v.object({
  userId: id,
  items: v.pipe(
    v.array(orderItem),
    v.minLength(1),
    v.maxLength(100),
    v.check((items) => totalOf(items) <= maxOrderTotal, `the order total must not exceed ${maxOrderTotal}`),
  ),
  currency,
  shippingAddress,
  payment: v.object({ method: paymentMethod, token: v.optional(id) }),
});

const totalOf = (items: Array<{ quantity: number; unitPrice: number }>) => items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
export type PlaceOrder = v.InferOutput<typeof placeOrderBody>;

/**
 * Accepts an order: the row (status pending) and its order.created event commit together, and the
 * customer gets 202 at once; the rest of the flow is asynchronous (seed mission 1: 注文受付済み).
 * With an Idempotency-Key, a retried POST returns the same order; the key with another body is 422.
 */
export async function placeOrder(deps: OrderDeps, body: PlaceOrder, idempotencyKey?: string): Promise<OrderRow> {
  const requestHash = idempotencyKey ? hashOf(body) : null;
  if (idempotencyKey) {
    const existing = await findOrderByIdempotencyKey(deps.db, idempotencyKey);
    if (existing) return sameRequestOrThrow(existing, requestHash);
  }
  const now = deps.clock.now();
  const orderId = deps.ids.next();
  const totalAmount = totalOf(body.items);
  const created = await deps.db.transaction(async (tx) => {
    const row = await insertOrder(tx, {
      id: orderId,
      ...body,
      status: "pending",
      totalAmount,
      idempotencyKey: idempotencyKey ?? null,
      requestHash,
      createdAt: now,
      updatedAt: now,
    });
    if (!row) return undefined;
    const event = newEvent("com.example.order.created", { orderId, totalAmount, ...body }, { id: deps.ids.next(), time: now, correlationid: orderId });
    await enqueue(tx, outbox, [event]);
    await appendTimeline(tx, { eventId: event.id, orderId, type: event.type, time: now });
    return row;
  });
  if (created) return created;
  // A concurrent POST with the same key won the insert.
  const winner = await findOrderByIdempotencyKey(deps.db, idempotencyKey!);
  return sameRequestOrThrow(winner!, requestHash);
}

function sameRequestOrThrow(existing: OrderRow, requestHash: string | null): OrderRow {
  if (existing.requestHash === requestHash) return existing;
  throw new AppError("order.idempotency_key_reused", "this Idempotency-Key was used with a different request body", {
    status: 422,
    issues: [{ field: "Idempotency-Key", message: `already used for order ${existing.id} with another body` }],
  });
}

function hashOf(body: PlaceOrder): string {
  return new Bun.CryptoHasher("sha256").update(JSON.stringify(body)).digest("hex");
}
