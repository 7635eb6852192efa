import { isRejection } from "../../../lib/domain/index.ts";
import { AppError } from "../../../lib/errors/index.ts";
import { type DomainEvent, type EventOf, newEvent } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/index.ts";
import { eventFields } from "../../../lib/log/index.ts";
import { claimEvents, claimKey, enqueue } from "../../../lib/outbox/index.ts";
import type { ShippingDeps } from "../deps.ts";
import { type ShipmentCreated, type ShipmentRefused, type ShipmentState, type ShippingInput, shippingDecider } from "../domain/shipment.ts";
import { insertRefusals, insertShipments, loadShipmentStates } from "../store/shipments.ts";
import { outbox, processedEvents } from "../store/schema.ts";

/** What shipping decides on: a reservation to ship, or an expiry to settle. */
export type Incoming = EventOf<"com.example.stock.reserved"> | EventOf<"com.example.stock.expired">;

/**
 * settleOrder for a whole pushed batch (WebhookOptions.applyBatch), in at most seven statements
 * however many events: claim them all, lock and load their orders, decide in memory in event order,
 * then one insert of shipments, one of refusals, and one enqueue. `deps.db` is the batch's
 * transaction. Each event gets the outcome, and each order the rows and events, that settleOrder
 * one event after the other would give (apply-batch.unit.test.ts holds the two together). What it
 * cannot answer the same way it throws, and the webhook applies the events one by one instead.
 */
export async function applyBatch(deps: ShippingDeps, events: DomainEvent[]): Promise<Outcome[]> {
  const incoming = events.map(asIncoming);
  const claimed = await claimEvents(deps.db, processedEvents, incoming);
  const fresh = firstClaims(incoming, claimed);
  const states = await loadShipmentStates(deps.db, incoming.filter((_, i) => fresh[i]).map((event) => event.data.orderId));
  const plan = decideInOrder(deps, incoming, fresh, states);
  const shipped = await insertShipments(deps.db, plan.shipments);
  const refused = await insertRefusals(deps.db, plan.refusals);
  // Under the locks, the loaded state says no row is there: one that is means something wrote
  // without the lock. settleOrder answers that event "duplicate"; which one it was, we cannot tell.
  if (shipped !== plan.shipments.length || refused !== plan.refusals.length) {
    throw new AppError("shipping.batch_conflict", `${plan.shipments.length - shipped} shipments and ${plan.refusals.length - refused} refusals were there already`);
  }
  await enqueue(deps.db, outbox, plan.outgoing);
  // Logged once written: a batch that throws is applied again one by one, which logs its own.
  for (const log of plan.logs) log();
  return plan.outcomes;
}

type Plan = {
  outcomes: Outcome[];
  shipments: ShipmentCreated[];
  refusals: ShipmentRefused[];
  outgoing: DomainEvent[];
  logs: Array<() => void>;
};

/**
 * The decisions, event by event, each order's state evolved by the ones before it: of a
 * reservation and an expiry of one order, the first wins and the second finds it decided. Ids and
 * `now` are drawn in settleOrder's order, so deterministic ids give the same rows and events.
 */
function decideInOrder(deps: ShippingDeps, events: Incoming[], fresh: boolean[], states: Map<string, ShipmentState>): Plan {
  const plan: Plan = { outcomes: [], shipments: [], refusals: [], outgoing: [], logs: [] };
  events.forEach((event, i) => {
    plan.outcomes.push(fresh[i] ? decideOne(deps, event, states, plan) : "duplicate");
  });
  return plan;
}

function decideOne(deps: ShippingDeps, event: Incoming, states: Map<string, ShipmentState>, plan: Plan): Outcome {
  const { orderId } = event.data;
  let state = states.get(orderId) ?? shippingDecider.initialState();
  const decision = shippingDecider.decide(inputOf(deps, event), state);
  if (isRejection(decision)) {
    plan.logs.push(() => deps.log.warn({ ...eventFields(event), ...decision }, "shipping: nothing decided"));
    return "processed";
  }
  if (decision.length === 0) return "duplicate";
  for (const decided of decision) {
    if (decided.type === "com.example.shipment.created") plan.shipments.push(decided);
    else {
      plan.refusals.push(decided);
      plan.logs.push(() => deps.log.info({ ...eventFields(event), reason: decided.data.reason }, "shipping: refused; the stock goes back"));
    }
    plan.outgoing.push(newEvent(decided.type, decided.data, { id: deps.ids.next(), time: decided.at, cause: event }));
    state = shippingDecider.evolve(state, decided);
  }
  states.set(orderId, state);
  return "processed";
}

/** As settleOrder's: `now` and a fresh id (a reservation's) drawn per event, in that order. */
/** The domain's input for an event, with this moment and a new shipment id (settleOrder's too). */
export function inputOf(deps: ShippingDeps, event: Incoming): ShippingInput {
  const now = deps.clock.now();
  if (event.type === "com.example.stock.reserved") return { type: "arrange-shipment", reservation: event, now, newId: deps.ids.next() };
  return { type: "settle-expiry", expiry: event.data, now };
}

/**
 * Which events this batch applies: claimed now (not by an earlier delivery), and the first of their
 * key in the batch. Its second copy is a duplicate, as settleOrder would find it claimed.
 */
function firstClaims(events: Incoming[], claimed: Set<string>): boolean[] {
  const seen = new Set<string>();
  return events.map((event) => {
    const key = claimKey(event);
    if (!claimed.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The webhook hands over only subscribed types; anything else is not ours to decide. */
function asIncoming(event: DomainEvent): Incoming {
  if (event.type === "com.example.stock.reserved" || event.type === "com.example.stock.expired") return event;
  throw new AppError("shipping.unexpected_event", `shipping does not settle ${event.type}`);
}
