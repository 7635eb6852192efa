import type { EventOf } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/index.ts";
import type { PaymentDeps } from "../deps.ts";
import { paymentDecider } from "../domain/payment.ts";
import type { ChargeRequested, PaymentInput, PaymentIntent, PaymentState } from "../domain/types.ts";
import { recoveryPolicy } from "../recovery.ts";
import { loadPayment, recordIntent } from "../store/payments.ts";
import { failureOf, isRefusal } from "./gateway-failure.ts";
import { eventsOrThrow, writeDecided } from "./write-decided.ts";

type OrderCreated = EventOf<"com.example.order.created">;
type Charging = Extract<PaymentState, { status: "charging" }>;

/**
 * order.created → charge once (docs/architecture.md#pitfalls-we-avoid, "find, then charge, then save"):
 * 1. load the order's payment, decide, and record the intent with its fixed key before touching
 *    money (or take an intent still charging, which keeps the reconciler off it meanwhile);
 * 2. charge with that key: a concurrent or repeated delivery gets the same charge from the gateway;
 * 3. decide on the answer and write it: only the delivery that moves charging → completed|failed emits.
 * A gateway that does not answer (timeout, 5xx) fails the delivery, which is retried with the same
 * key; should the retries stop, the reconciler looks the charge up. A request the gateway refuses
 * for good is settled at once, never left charging.
 */
export async function chargeOrder(deps: PaymentDeps, event: OrderCreated): Promise<Outcome> {
  const requested = await requestCharge(deps, event);
  if (!requested) return "duplicate";
  const { state, token } = requested;
  const answer = await askForCharge(deps, state.intent, token);
  return writeDecided(deps, state.intent.orderId, eventsOrThrow(paymentDecider.decide(answer, state)), { claim: event, cause: event });
}

/** The payment to charge, as stored; undefined when the order's payment is already settled. */
async function requestCharge(deps: PaymentDeps, event: OrderCreated): Promise<{ state: Charging; token: string | undefined } | undefined> {
  const order = event.data;
  const loaded = await loadPayment(deps.db, order.orderId);
  const now = deps.clock.now();
  const input = { type: "OrderCreated", order, paymentId: `pay_${deps.ids.next()}`, now } as const;
  const requested = eventsOrThrow(paymentDecider.decide(input, loaded)).find((e): e is ChargeRequested => e.type === "ChargeRequested");
  if (!requested) return undefined;
  // A concurrent delivery may have written its intent first, or settled it meanwhile: what is
  // stored decides (the unique payment per order).
  const staleAfterMs = (deps.recovery ?? recoveryPolicy()).staleAfterMs;
  const stored = await recordIntent(deps.db, requested, { causeId: event.id, nextAttemptAt: new Date(now.getTime() + staleAfterMs) });
  if (stored.status !== "charging") return undefined;
  return { state: stored, token: requested.token };
}

async function askForCharge(deps: PaymentDeps, intent: PaymentIntent, token: string | undefined): Promise<PaymentInput> {
  const { idempotencyKey, orderId, amount, currency, method } = intent;
  try {
    const charge = await deps.gateway.charge({ idempotencyKey, orderId, amount, currency, method, ...(token ? { token } : {}) });
    return { type: "ChargeAnswered", charge, now: deps.clock.now() };
  } catch (error) {
    // The charge may have happened: answer 5xx so the delivery is retried with the same key.
    if (!isRefusal(error)) throw error;
    return { type: "ChargeRefused", failure: failureOf(error, deps.log, orderId), now: deps.clock.now() };
  }
}
