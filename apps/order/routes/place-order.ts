import * as v from "valibot";
import { isRejection } from "../../../lib/domain/index.ts";
import type { Executor } from "../../../lib/db/index.ts";
import { AppError } from "../../../lib/errors/index.ts";
import { boundedList, currency, id, money, newEvent, paymentMethod, quantity, shippingAddress } from "../../../lib/events/index.ts";
import { enqueue } from "../../../lib/outbox/index.ts";
import type { OrderDeps } from "../deps.ts";
import { type OrderCreated, orderDecider } from "../domain/order.ts";
import { decidePlaceOrder, type PlaceOrderCommand, type PlaceOrderRefusal } from "../domain/place-order.ts";
import type { CurrentPrice, LineIssue } from "../domain/pricing.ts";
import { appendTimeline, findOrderByIdempotencyKey, insertOrder, type OrderRow } from "../store/orders.ts";
import { catalogueFor } from "../store/products.ts";
import { outbox } from "../store/schema.ts";

/** The customer's lines: `unitPrice` is optional, and only ever checked against the catalogue. */
const requestedLine = v.object({ productId: id, quantity, unitPrice: v.optional(money) });

/** No `userId`: the order belongs to the token's `sub` (an extra field is ignored). */
export const placeOrderBody = v.object({
  items: boundedList(requestedLine),
  currency,
  shippingAddress,
  payment: v.object({ method: paymentMethod, token: v.optional(id) }),
});

export type PlaceOrder = v.InferOutput<typeof placeOrderBody>;
type KeyedRequest = { idempotencyKey: string | null; requestHash: string | null };

/** Placed, or refused because a price the customer sent is no longer the catalogue's (409 with the current prices). */
export type PlaceOrderResult = { placed: OrderRow } | { priceChanged: CurrentPrice[]; issues: LineIssue[] };

/**
 * Accepts an order for `userId`: every line priced from the catalogue, then the row (status
 * pending) and its order.created commit together, and the customer gets 202 at once; payment,
 * stock and shipping follow asynchronously (docs/architecture.md#delivery-path). With an
 * Idempotency-Key (the customer's own), a retried POST returns the same order, even if a price
 * changed since; the key with another body is 422.
 */
export async function placeOrder(deps: OrderDeps, userId: string, body: PlaceOrder, idempotencyKey?: string): Promise<PlaceOrderResult> {
  const requestHash = idempotencyKey ? hashOf(body) : null;
  if (idempotencyKey) {
    const existing = await findOrderByIdempotencyKey(deps.db, userId, idempotencyKey);
    if (existing) return { placed: sameRequestOrThrow(existing, requestHash) };
  }
  const request = { idempotencyKey: idempotencyKey ?? null, requestHash };
  // Load, decide and write in one transaction: one turn on the database (PGlite has one connection).
  const outcome = await deps.db.transaction(async (tx) => {
    const catalogue = await catalogueFor(tx, body.items.map((item) => item.productId));
    const command: PlaceOrderCommand = { type: "PlaceOrder", orderId: deps.ids.next(), userId, now: deps.clock.now(), order: body, catalogue };
    const decision = decidePlaceOrder(command, orderDecider.initialState());
    return isRejection(decision) ? decision : writeCreated(tx, deps, decision[0], request);
  });
  if (outcome && "rejected" in outcome) return refused(outcome);
  if (outcome) return { placed: outcome };
  // A concurrent POST of the same customer with the same key won the insert.
  const winner = await findOrderByIdempotencyKey(deps.db, userId, idempotencyKey!);
  return { placed: sameRequestOrThrow(winner!, requestHash) };
}

/** The row, its order.created in the outbox, and the first line of its timeline; undefined if the key was taken. */
async function writeCreated(tx: Executor, deps: OrderDeps, { data, at }: OrderCreated, request: KeyedRequest): Promise<OrderRow | undefined> {
  const { orderId, ...fields } = data;
  const row = await insertOrder(tx, { id: orderId, ...fields, status: "pending", ...request, createdAt: at, updatedAt: at });
  if (!row) return undefined;
  const event = newEvent("com.example.order.created", data, { id: deps.ids.next(), time: at, correlationid: orderId });
  await enqueue(tx, outbox, [event]);
  await appendTimeline(tx, orderId, event);
  return row;
}

/** A changed price is the client's to show (409); the rest is an AppError naming the failing fields. */
function refused(refusal: PlaceOrderRefusal): PlaceOrderResult {
  switch (refusal.rejected) {
    case "order.price_changed":
      return { priceChanged: refusal.current, issues: refusal.issues };
    case "order.unknown_product":
    case "order.currency_mismatch":
      throw new AppError(refusal.rejected, refusal.reason, { status: 422, issues: refusal.issues });
    case "order.total_above_cap":
      // Refused for its total, like the body's own checks: a 400 naming `items`.
      throw new AppError("request.invalid", "the request body is invalid", { status: 400, issues: [{ field: "items", message: refusal.reason }] });
    case "order.already_placed":
      throw new AppError(refusal.rejected, refusal.reason, { status: 409 });
    default: {
      const unreachable: never = refusal;
      return unreachable;
    }
  }
}

function sameRequestOrThrow(existing: OrderRow, requestHash: string | null): OrderRow {
  if (existing.requestHash === requestHash) return existing;
  throw new AppError("order.idempotency_key_reused", "this Idempotency-Key was used with a different request body", {
    status: 422,
    issues: [{ field: "Idempotency-Key", message: `already used for your order ${existing.id} with another body` }],
  });
}

function hashOf(body: PlaceOrder): string {
  return new Bun.CryptoHasher("sha256").update(JSON.stringify(body)).digest("hex");
}
