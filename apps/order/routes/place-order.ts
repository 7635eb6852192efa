import { createGroupCommit, type Settled } from "../../../lib/batching/index.ts";
import { isRejection } from "../../../lib/domain/index.ts";
import type { Executor } from "../../../lib/db/index.ts";
import { AppError } from "../../../lib/errors/index.ts";
import { errorSummary } from "../../../lib/log/index.ts";
import { newEvent } from "../../../lib/events/index.ts";
import { enqueue } from "../../../lib/outbox/index.ts";
import type { OrderDeps } from "../deps.ts";
import { type OrderCreated, orderDecider } from "../domain/order.ts";
import { decidePlaceOrder, type PlaceOrderCommand, type PlaceOrderRefusal } from "../domain/place-order.ts";
import type { CatalogueEntry, CurrentPrice, LineIssue } from "../domain/pricing.ts";
import { appendTimelines, findOrderByIdempotencyKey, insertOrders, type OrderRow } from "../store/orders.ts";
import { catalogueFor } from "../store/products.ts";
import { outbox } from "../store/schema.ts";
import type { PlaceOrder } from "./place-order-body.ts";

type KeyedRequest = { idempotencyKey: string | null; requestHash: string | null };

/** Placed, or refused because a price the customer sent is no longer the catalogue's (409 with the current prices). */
export type PlaceOrderResult = { placed: OrderRow } | { priceChanged: CurrentPrice[]; issues: LineIssue[] };

/** One POST /orders, as the writer takes it: the customer, the body and its key. */
type Placement = { userId: string; body: PlaceOrder; request: KeyedRequest };

/**
 * Concurrent POSTs written together: at most this many in one transaction. A batch's four
 * statements carry every order in it, so the order API accepts many times what one transaction
 * per order allows (docs/performance.md).
 */
const maxPlacementsPerBatch = 100;
/** Transactions in flight: two, so that one is being built while the other commits. */
const placementWriters = 2;
/**
 * A placement transaction still running after this long (stuck on a lock, a slow disk) gives its
 * writer's slot up (lib/batching): the POSTs behind it are written by another transaction, within
 * the database pool, instead of every order waiting for the stuck one. Above what a placement
 * takes under load: the bench's bursts answer POST /orders within a second at p99, queueing included.
 */
const stuckPlacementMs = 1_000;

/**
 * Accepts orders for their customers: every line priced from the catalogue, then the row (status
 * pending) and its order.created commit together, and the customer gets 202 at once; payment,
 * stock and shipping follow asynchronously (docs/architecture.md#delivery-path). With an
 * Idempotency-Key (the customer's own), a retried POST returns the same order, even if a price
 * changed since; the key with another body is 422.
 *
 * POSTs that arrive while earlier ones are being written are written together, in one
 * transaction (lib/batching: no timer, a POST on an idle server goes at once). Each is decided
 * and answered on its own, as if it had been alone; if the transaction fails as a whole, each
 * goes again alone.
 */
export function createOrderPlacer(deps: OrderDeps) {
  const commit = createGroupCommit<Placement, PlaceOrderResult>({
    maxBatch: maxPlacementsPerBatch,
    concurrency: placementWriters,
    slowAfterMs: stuckPlacementMs,
    runOne: (placement) => placeOne(deps, placement),
    runBatch: (placements) => placeMany(deps, placements),
    onFallback: (error, items) => deps.log.info({ orders: items, why: errorSummary(error) }, "orders placed one by one: their batch failed"),
  });
  return async function placeOrder(userId: string, body: PlaceOrder, idempotencyKey?: string): Promise<PlaceOrderResult> {
    const requestHash = idempotencyKey ? hashOf(body) : null;
    if (idempotencyKey) {
      const existing = await findOrderByIdempotencyKey(deps.db, userId, idempotencyKey);
      if (existing) return { placed: sameRequestOrThrow(existing, requestHash) };
    }
    return commit.submit({ userId, body, request: { idempotencyKey: idempotencyKey ?? null, requestHash } });
  };
}

export type OrderPlacer = ReturnType<typeof createOrderPlacer>;

/** One order in its own transaction: load, decide and write in one turn on the database (PGlite has one connection). */
async function placeOne(deps: OrderDeps, { userId, body, request }: Placement): Promise<PlaceOrderResult> {
  const outcome = await deps.db.transaction(async (tx) => {
    const catalogue = await catalogueFor(tx, body.items.map((item) => item.productId));
    const decision = decidePlaceOrder(commandFor(deps, userId, body, catalogue), orderDecider.initialState());
    if (isRejection(decision)) return decision;
    const [row] = await writeCreated(tx, deps, [{ created: decision[0], request }]);
    return row;
  });
  if (outcome && "rejected" in outcome) return refused(outcome);
  return outcome ? { placed: outcome } : keyTakenMeanwhile(deps, userId, request);
}

/**
 * Many orders in one transaction, in four statements: the catalogue of every product they name,
 * the orders, their order.created in the outbox (with the NOTIFY) and their timelines. Each is decided alone.
 */
async function placeMany(deps: OrderDeps, placements: Placement[]): Promise<Settled<PlaceOrderResult>[]> {
  const outcomes = await deps.db.transaction(async (tx) => {
    const catalogue = await catalogueFor(tx, placements.flatMap(({ body }) => body.items.map((item) => item.productId)));
    const decisions = placements.map(({ userId, body }) => decidePlaceOrder(commandFor(deps, userId, body, catalogue), orderDecider.initialState()));
    const toWrite = decisions.flatMap((decision, i) => (isRejection(decision) ? [] : [{ created: decision[0], request: placements[i]!.request }]));
    const written = new Map((await writeCreated(tx, deps, toWrite)).map((row) => [row.id, row]));
    return decisions.map((decision) => (isRejection(decision) ? decision : written.get(decision[0].data.orderId)));
  });
  return Promise.all(
    outcomes.map(async (outcome, i): Promise<Settled<PlaceOrderResult>> => {
      try {
        if (outcome && "rejected" in outcome) return { ok: true, value: refused(outcome) };
        return { ok: true, value: outcome ? { placed: outcome } : await keyTakenMeanwhile(deps, placements[i]!.userId, placements[i]!.request) };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );
}

function commandFor(deps: OrderDeps, userId: string, body: PlaceOrder, catalogue: CatalogueEntry[]): PlaceOrderCommand {
  return { type: "PlaceOrder", orderId: deps.ids.next(), userId, now: deps.clock.now(), order: body, catalogue };
}

/** A concurrent POST of the same customer with the same key won the insert: answer with its order. */
async function keyTakenMeanwhile(deps: OrderDeps, userId: string, request: KeyedRequest): Promise<PlaceOrderResult> {
  const winner = await findOrderByIdempotencyKey(deps.db, userId, request.idempotencyKey!);
  return { placed: sameRequestOrThrow(winner!, request.requestHash) };
}

/**
 * The rows, each order.created in the outbox and the first line of each timeline; the rows
 * inserted (an order whose customer's key was taken is left out).
 */
async function writeCreated(tx: Executor, deps: OrderDeps, orders: Array<{ created: OrderCreated; request: KeyedRequest }>): Promise<OrderRow[]> {
  if (orders.length === 0) return [];
  const rows = await insertOrders(
    tx,
    orders.map(({ created: { data, at }, request }) => {
      const { orderId, ...fields } = data;
      return { id: orderId, ...fields, status: "pending" as const, ...request, createdAt: at, updatedAt: at };
    }),
  );
  const inserted = new Set(rows.map((row) => row.id));
  const events = orders
    .filter(({ created }) => inserted.has(created.data.orderId))
    .map(({ created: { data, at } }) => newEvent("com.example.order.created", data, { id: deps.ids.next(), time: at, correlationid: data.orderId }));
  await enqueue(tx, outbox, events);
  await appendTimelines(tx, events);
  return rows;
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
