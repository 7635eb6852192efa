import { AppError } from "../../../lib/errors/index.ts";
import { type EventOf, type EventType, newEvent } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/index.ts";
import { claimEvents, enqueue } from "../../../lib/outbox/index.ts";
import type { PaymentDeps } from "../deps.ts";
import { paymentDecider } from "../domain/payment.ts";
import type { ChargeRequested, PaymentInput, PaymentState } from "../domain/types.ts";
import { recoveryPolicy } from "../recovery.ts";
import { type ChargeSettled, type IntentStep, recordIntents, settleCharges } from "../store/payments.ts";
import { outbox, processedEvents } from "../store/schema.ts";
import { failureOf, isRefusal } from "./gateway-failure.ts";
import { eventsOrThrow } from "./write-decided.ts";

type OrderCreated = EventOf<"com.example.order.created">;
type Charging = Extract<PaymentState, { status: "charging" }>;

/** Charges asked for at once: a push of a hundred orders is a few gateway round trips, within its limits. */
const chargeConcurrency = 8;

/**
 * chargeOrder() for a whole pushed batch of order.created (WebhookOptions.applyBatch), in a number
 * of statements that does not grow with it: ONE transaction records every order's intent with its
 * fixed key (one insert; orders still charging are taken over in one update), then the gateway is
 * asked for each charge (orders at once, bounded), then ONE transaction records every answer (one
 * update), the deliveries' claims and the payment events (one insert each). Each event gets
 * chargeOrder()'s outcome: its order's first event is processed if its payment moved, every later
 * one a duplicate (apply-batch.unit.test.ts holds the two together).
 *
 * The webhook has no push transaction here (the gateway is outside), so giving up must leave what
 * the one-by-one path finishes: another event type, or a push of one, is left to it (undefined) before anything is written; a charge
 * that got no answer (timeout, 5xx, anything but a refusal) leaves its payment charging, as
 * chargeOrder() leaves it after the same failure, the answered ones are recorded, and then the
 * batch throws: chargeOrder() finds the recorded ones duplicates and asks again for the rest under
 * the SAME keys, which the gateway answers with the charge it made, never a second one.
 */
export async function applyBatch(deps: PaymentDeps, events: EventOf<EventType>[]): Promise<Outcome[] | undefined> {
  // Left to chargeOrder() and the refund handlers, before anything is written: a push holding
  // another type, and a push of one (one event saves one statement here, and on its own keeps
  // chargeOrder()'s plain answer to a gateway that did not answer: 5xx, retried later).
  if (events.length < 2 || !events.every(isOrderCreated)) return undefined;
  const created = events as OrderCreated[];
  const now = deps.clock.now();
  const firsts = firstOfEachOrder(created);
  const steps: IntentStep[] = [...firsts].map((event) => ({ requested: chargeRequestOf(event, `pay_${deps.ids.next()}`, now), causeId: event.id }));
  const staleAfterMs = (deps.recovery ?? recoveryPolicy()).staleAfterMs;
  const charging = await deps.db.transaction((tx) => recordIntents(tx, steps, new Date(now.getTime() + staleAfterMs)));

  const toCharge = steps.flatMap(({ requested }) => {
    const state = charging.get(requested.intent.orderId);
    return state ? [{ state, token: requested.token }] : [];
  });
  const { answers, failure } = await chargeAll(deps, toCharge);
  const settled: ChargeSettled[] = [];
  let undecided = failure;
  for (const { state, answer } of answers) {
    try {
      const [event, ...more] = eventsOrThrow(paymentDecider.decide(answer, state));
      if (!event) continue;
      if (more.length > 0 || !isSettlement(event)) throw new AppError("payment.decided_twice", `one answer moved payment of order ${state.intent.orderId} as no delivery does`);
      settled.push({ orderId: state.intent.orderId, event });
    } catch (error) {
      // As chargeOrder(): the delivery fails, the payment stays charging; the others are recorded first.
      undecided ??= { orderId: state.intent.orderId, error };
    }
  }

  const causes = new Map([...firsts].map((event) => [event.data.orderId, event]));
  const moved = await deps.db.transaction(async (tx) => {
    const movedOrders = await settleCharges(tx, settled);
    const recorded = settled.filter(({ orderId }) => movedOrders.has(orderId));
    await claimEvents(tx, processedEvents, recorded.map(({ orderId }) => causes.get(orderId)!));
    const published = recorded.map(({ orderId, event }) => newEvent(event.type, event.data, { id: deps.ids.next(), time: event.at, cause: causes.get(orderId)! }));
    await enqueue(tx, outbox, published);
    return movedOrders;
  });
  if (undecided) {
    throw new AppError("payment.batch_charge_unanswered", `the charge of order ${undecided.orderId} got no answer; ${moved.size} recorded, the rest go event by event`, {
      status: 503,
      retryable: true,
      cause: undecided.error,
    });
  }
  return created.map((event) => (firsts.has(event) && moved.has(event.data.orderId) ? "processed" : "duplicate"));
}

/**
 * Each order's first event: the one chargeOrder() would charge under. Every later one finds its
 * payment settled by then (or the batch gave up), so it is a duplicate.
 */
function firstOfEachOrder(events: OrderCreated[]): Set<OrderCreated> {
  const byOrder = new Map<string, OrderCreated>();
  for (const event of events) if (!byOrder.has(event.data.orderId)) byOrder.set(event.data.orderId, event);
  return new Set(byOrder.values());
}

/**
 * The charge request as chargeOrder() makes it for an order without a payment. An order that has
 * one is decided by what is stored (recordIntents takes it over if still charging, else it is
 * settled), exactly as recordIntent settles chargeOrder()'s load gone stale.
 */
function chargeRequestOf(event: OrderCreated, paymentId: string, now: Date): ChargeRequested {
  const decided = eventsOrThrow(paymentDecider.decide({ type: "OrderCreated", order: event.data, paymentId, now }, { status: "none" }));
  const requested = decided.find((e): e is ChargeRequested => e.type === "ChargeRequested");
  if (!requested) throw new AppError("payment.batch_no_request", `an order without a payment got no charge request (order ${event.data.orderId})`);
  return requested;
}

type Answered = { state: Charging; answer: PaymentInput };
type Failure = { orderId: string; error: unknown };

/**
 * Asks for each charge under its payment's key, as chargeOrder() does: an answer or a refusal is
 * decided on; any other error may hide a charge made, so it is the batch's failure. After one, no
 * call starts (the one-by-one path asks for those); the ones under way finish and are recorded.
 */
async function chargeAll(deps: PaymentDeps, requests: Array<{ state: Charging; token: string | undefined }>): Promise<{ answers: Answered[]; failure?: Failure }> {
  // By request, not by arrival: the payment events go to the outbox in the batch's order.
  const answers: Array<Answered | undefined> = [];
  let failure: Failure | undefined;
  let next = 0;
  const worker = async () => {
    while (failure === undefined && next < requests.length) {
      const index = next++;
      const { state, token } = requests[index]!;
      const { idempotencyKey, orderId, amount, currency, method } = state.intent;
      try {
        const charge = await deps.gateway.charge({ idempotencyKey, orderId, amount, currency, method, ...(token ? { token } : {}) });
        answers[index] = { state, answer: { type: "ChargeAnswered", charge, now: deps.clock.now() } };
      } catch (error) {
        if (isRefusal(error)) answers[index] = { state, answer: { type: "ChargeRefused", failure: failureOf(error, deps.log, orderId), now: deps.clock.now() } };
        else failure ??= { orderId, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(chargeConcurrency, requests.length) }, worker));
  return { answers: answers.filter((answer) => answer !== undefined), failure };
}

function isSettlement(event: { type: string }): event is ChargeSettled["event"] {
  return ["com.example.payment.completed", "com.example.payment.failed", "com.example.payment.escalated"].includes(event.type);
}

function isOrderCreated(event: EventOf<EventType>): event is OrderCreated {
  return event.type === "com.example.order.created";
}
