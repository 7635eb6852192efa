import * as v from "valibot";
import { isRejection, type Rejection } from "../../../lib/domain/index.ts";
import type { Executor } from "../../../lib/db/index.ts";
import { AppError } from "../../../lib/errors/index.ts";
import { currency, id, newEvent, orderItem, paymentMethod, shippingAddress } from "../../../lib/events/index.ts";
import { enqueue } from "../../../lib/outbox/index.ts";
import type { OrderDeps } from "../deps.ts";
import { type OrderCreated, orderDecider } from "../domain/order.ts";
import { decidePlaceOrder, type PlaceOrderCommand } from "../domain/place-order.ts";
import { appendTimeline, findOrderByIdempotencyKey, insertOrder, type OrderRow } from "../store/orders.ts";
import { outbox } from "../store/schema.ts";

export const placeOrderBody = v.object({
  userId: id,
  items: v.pipe(v.array(orderItem), v.minLength(1), v.maxLength(100)),
  currency,
  shippingAddress,
  payment: v.object({ method: paymentMethod, token: v.optional(id) }),
});

export type PlaceOrder = v.InferOutput<typeof placeOrderBody>;
type KeyedRequest = { idempotencyKey: string | null; requestHash: string | null };

/**
 * Accepts an order: the row (status pending) and its order.created event commit together, and the
 * customer gets 202 at once ("order received"); payment, stock and shipping follow asynchronously
 * (docs/architecture.md#delivery-path). With an Idempotency-Key, a retried POST returns the same
 * order; the key with another body is 422.
 */
export async function placeOrder(deps: OrderDeps, body: PlaceOrder, idempotencyKey?: string): Promise<OrderRow> {
  const { userId, ...order } = body;
  const command: PlaceOrderCommand = { type: "PlaceOrder", orderId: deps.ids.next(), userId, now: deps.clock.now(), order };
  const decision = decidePlaceOrder(command, orderDecider.initialState());
  if (isRejection(decision)) throw refused(decision);
  const requestHash = idempotencyKey ? hashOf(body) : null;
  if (idempotencyKey) {
    const existing = await findOrderByIdempotencyKey(deps.db, idempotencyKey);
    if (existing) return sameRequestOrThrow(existing, requestHash);
  }
  const request = { idempotencyKey: idempotencyKey ?? null, requestHash };
  const [placed] = decision;
  const created = await deps.db.transaction((tx) => writeCreated(tx, deps, placed, request));
  if (created) return created;
  // A concurrent POST with the same key won the insert.
  const winner = await findOrderByIdempotencyKey(deps.db, idempotencyKey!);
  return sameRequestOrThrow(winner!, requestHash);
}

/** The row, its order.created in the outbox, and the first line of its timeline; undefined if the key was taken. */
async function writeCreated(tx: Executor, deps: OrderDeps, { data, at }: OrderCreated, request: KeyedRequest): Promise<OrderRow | undefined> {
  const { orderId, ...fields } = data;
  const row = await insertOrder(tx, { id: orderId, ...fields, status: "pending", ...request, createdAt: at, updatedAt: at });
  if (!row) return undefined;
  const event = newEvent("com.example.order.created", data, { id: deps.ids.next(), time: at, correlationid: orderId });
  await enqueue(tx, outbox, [event]);
  await appendTimeline(tx, { eventId: event.id, orderId, type: event.type, time: at });
  return row;
}

/** A new order is refused only for its total: a 400 naming `items`, like the body's own checks. */
function refused(rejection: Rejection): AppError {
  return new AppError("request.invalid", "the request body is invalid", {
    status: 400,
    issues: [{ field: "items", message: rejection.reason }],
  });
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
