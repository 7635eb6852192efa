import type { EventOf } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/index.ts";
import type { PaymentDeps } from "../deps.ts";
import { paymentDecider } from "../domain/payment.ts";
import type { ChargeRequested, PaymentState } from "../domain/types.ts";
import { loadPayment, recordIntent } from "../store/payments.ts";
import { eventsOrThrow, writeSettlement } from "./write-settlement.ts";

type Order = EventOf<"com.example.order.created">["data"];
type Charging = Extract<PaymentState, { status: "charging" }>;

/**
 * order.created → charge once (docs/architecture.md#pitfalls-we-avoid, "find, then charge, then save"):
 * 1. load the order's payment, decide, and record the intent with its fixed key before touching money;
 * 2. charge with that key: a concurrent or repeated delivery gets the same charge from the gateway;
 * 3. decide on the answer and write it: only the delivery that moves charging → completed|failed emits.
 */
export async function chargeOrder(deps: PaymentDeps, event: EventOf<"com.example.order.created">): Promise<Outcome> {
  const order = event.data;
  const requested = await requestCharge(deps, order);
  if (!requested) return "duplicate";
  const { state, token } = requested;
  const { idempotencyKey, orderId, amount, currency, method } = state.intent;
  const charge = await deps.gateway.charge({ idempotencyKey, orderId, amount, currency, method, ...(token ? { token } : {}) });
  const answered = paymentDecider.decide({ type: "ChargeAnswered", order, charge, now: deps.clock.now() }, state);
  return writeSettlement(deps, event, eventsOrThrow(answered));
}

/** The payment to charge, as stored; undefined when the order's payment is already settled. */
async function requestCharge(deps: PaymentDeps, order: Order): Promise<{ state: Charging; token: string | undefined } | undefined> {
  const loaded = await loadPayment(deps.db, order.orderId);
  const input = { type: "OrderCreated", order, paymentId: `pay_${deps.ids.next()}`, now: deps.clock.now() } as const;
  const requested = eventsOrThrow(paymentDecider.decide(input, loaded)).find((e): e is ChargeRequested => e.type === "ChargeRequested");
  if (!requested) return undefined;
  // A concurrent delivery may have written its intent first, or settled it meanwhile: what is
  // stored decides (the unique payment per order).
  const stored = await recordIntent(deps.db, requested);
  if (stored.status !== "charging") return undefined;
  return { state: stored, token: requested.token };
}
