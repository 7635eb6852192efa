import type { Executor } from "../../../lib/db/index.ts";
import { AppError } from "../../../lib/errors/index.ts";
import type { DomainEvent, EventOf, EventType } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/index.ts";
import { claimEvents, claimKey, enqueue } from "../../../lib/outbox/index.ts";
import { defaultReservationTtlMs, type InventoryDeps } from "../deps.ts";
import type { InventoryEvent } from "../domain/events.ts";
import { decideInTurn, type InventoryInput } from "../domain/inventory.ts";
import { inventoryOf } from "../domain/state.ts";
import { lockOrders, lockReservationsOf } from "../store/reservations.ts";
import { outbox, processedEvents } from "../store/schema.ts";
import { lockStock } from "../store/stock.ts";
import { writeEvents } from "../store/write-events.ts";
import { alertOnDecided } from "./alerts.ts";
import { publishedOf, warnRejections } from "./apply-decided.ts";

type Paid = EventOf<"com.example.payment.completed">;
type Handled = Paid | EventOf<"com.example.shipment.created"> | EventOf<"com.example.shipment.refused">;

/**
 * The webhook's set-based handler (WebhookOptions.applyBatch): a whole push in a constant number of
 * statements, with the outcomes, rows, outbox events and logs of reserveStock, commitShipment and
 * releaseRefused applied one by one. Without a transaction of the push, it opens its own.
 */
export function inventoryBatch(deps: InventoryDeps) {
  return (events: EventOf<EventType>[], tx?: Executor): Promise<Outcome[]> =>
    tx ? applyBatch(deps, events, tx) : deps.db.transaction((own) => applyBatch(deps, events, own));
}

/**
 * The one-by-one handlers' load → decide → write, once for the batch:
 * 1. claim every event in one insert (a claimed key's first event is applied, any other is a duplicate);
 * 2. lock what the applied events decide on, as every handler does: the orders being paid, then
 *    the orders' reservations, then the products of both, each set in one statement and sorted;
 * 3. decide each event in turn against the state the ones before it left (what one-by-one
 *    handlers would reload from the rows the earlier ones wrote);
 * 4. write every decision (writeEvents: one statement per table) and the outbox in one insert.
 * Whatever it cannot decide like the one-by-one path it throws (a constraint, a guard that fails),
 * and the webhook rolls it back and applies the events one by one.
 */
export async function applyBatch(deps: InventoryDeps, events: EventOf<EventType>[], tx: Executor): Promise<Outcome[]> {
  const handled = events.map(handledOrThrow);
  // In key order: two transactions claiming overlapping events wait on each other's rows in the same order.
  const claimed = await claimEvents(tx, processedEvents, [...handled].sort((a, b) => compare(claimKey(a), claimKey(b))));
  const applied: Handled[] = [];
  const outcomes = handled.map((event): Outcome => {
    if (!claimed.delete(claimKey(event))) return "duplicate";
    applied.push(event);
    return "processed";
  });
  if (applied.length === 0) return outcomes;

  const paid = applied.filter((event): event is Paid => event.type === "com.example.payment.completed");
  await lockOrders(tx, paid.map((event) => event.data.orderId));
  const reservations = await lockReservationsOf(tx, applied.map((event) => event.data.orderId));
  const productIds = [...paid.flatMap((event) => event.data.items), ...reservations.flatMap((reservation) => reservation.items)].map((item) => item.productId);
  let state = inventoryOf(await lockStock(tx, productIds), reservations);

  const now = deps.clock.now();
  const decidedEvents: InventoryEvent[] = [];
  const published: DomainEvent[] = [];
  const logs: Array<() => void> = [];
  for (const event of applied) {
    const decided = decideInTurn([inputOf(deps, event, now)], state);
    state = decided.state;
    decidedEvents.push(...decided.events);
    published.push(...publishedOf(deps, decided, { now, cause: event }));
    logs.push(() => {
      alertOnDecided(deps, event, decided);
      warnRejections(deps, decided, { now, cause: event });
    });
  }
  await writeEvents(tx, decidedEvents, now);
  await enqueue(tx, outbox, published);
  // Only once written: a batch that throws is applied again one by one, which logs for itself.
  for (const log of logs) log();
  return outcomes;
}

/** The domain's input for an event, with what its one-by-one handler supplies (time, lifetime, a new reservation id). */
function inputOf(deps: InventoryDeps, event: Handled, now: Date): InventoryInput {
  switch (event.type) {
    case "com.example.payment.completed": {
      const ttlMs = deps.reservationTtlMs ?? defaultReservationTtlMs;
      return { type: "reserve-stock", payment: event.data, now, ttlMs, reservationId: `res_${deps.ids.next()}` };
    }
    case "com.example.shipment.created":
      return { type: "commit-shipment", shipment: event.data };
    case "com.example.shipment.refused":
      return { type: "release-refused", refusal: event.data };
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

function handledOrThrow(event: EventOf<EventType>): Handled {
  if (event.type === "com.example.payment.completed" || event.type === "com.example.shipment.created" || event.type === "com.example.shipment.refused") return event;
  throw new AppError("inventory.batch_unhandled", `inventory has no batch rule for ${event.type}`);
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
