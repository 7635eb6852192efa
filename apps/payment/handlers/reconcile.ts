import type { Outcome } from "../../../lib/http/index.ts";
import type { PaymentDeps } from "../deps.ts";
import { paymentDecider } from "../domain/payment.ts";
import type { PaymentInput, PaymentState } from "../domain/types.ts";
import { recoveryPolicy } from "../recovery.ts";
import { claimDue, type DuePayment } from "../store/due.ts";
import { attemptRefund } from "./attempt-refund.ts";
import { failureOf } from "./gateway-failure.ts";
import { eventsOrThrow, type WriteContext, writeDecided } from "./write-decided.ts";

type Charging = Extract<PaymentState, { status: "charging" }>;

/**
 * Finishes what the gateway left open, so that no order is stranded (docs/operations.md,
 * "Stranded orders"): takes the payments whose time has come and
 * - charging, untouched for the stale threshold: asks the gateway by the intent's key what became
 *   of the charge. Charged: payment.completed, as the delivery would have; declined or never made:
 *   payment.failed; the gateway cannot tell: asked again later, and after too many tries
 *   payment.escalated (the order needs attention);
 * - refunding: tries the refund again, under its fixed key.
 * Returns how many it took. One payment's failure is logged and left to a later pass.
 */
export async function reconcilePayments(deps: PaymentDeps, batchSize = 20): Promise<number> {
  const policy = deps.recovery ?? recoveryPolicy();
  const now = deps.clock.now();
  const due = await claimDue(deps.db, now, new Date(now.getTime() + policy.staleAfterMs), batchSize);
  for (const payment of due) {
    try {
      await finish(deps, payment);
    } catch (error) {
      const orderId = payment.state.status === "none" ? undefined : payment.state.intent.orderId;
      deps.log.error({ orderId, error }, "payment: reconciling failed; tried again once its claim runs out");
    }
  }
  return due.length;
}

function finish(deps: PaymentDeps, { state, fence, causeId }: DuePayment): Promise<Outcome> {
  if (state.status !== "charging" && state.status !== "refunding") return Promise.resolve("duplicate");
  const orderId = state.intent.orderId;
  const context: WriteContext = { fence, ...(causeId ? { cause: { id: causeId, correlationid: orderId } } : {}) };
  return state.status === "charging" ? settleByLookup(deps, state, context) : attemptRefund(deps, state, context);
}

async function settleByLookup(deps: PaymentDeps, state: Charging, context: WriteContext): Promise<Outcome> {
  const { idempotencyKey, orderId } = state.intent;
  let answer: PaymentInput;
  try {
    const charge = await deps.gateway.lookup(idempotencyKey);
    answer = charge ? { type: "ChargeAnswered", charge, now: deps.clock.now() } : { type: "ChargeNotFound", now: deps.clock.now() };
  } catch (error) {
    const policy = (deps.recovery ?? recoveryPolicy()).lookup;
    answer = { type: "LookupFailed", failure: failureOf(error, deps.log, orderId), policy, now: deps.clock.now() };
  }
  return writeDecided(deps, orderId, eventsOrThrow(paymentDecider.decide(answer, state)), context);
}

/** Reconciles now and then every `intervalMs` until stopped; a failed pass is logged and the next one tries again. */
export function startReconciler(deps: PaymentDeps, intervalMs: number, batchSize = 20): () => Promise<void> {
  let running: Promise<void> | undefined;
  let stopped = false;
  const pass = () => {
    // A pass still at work when the timer fires again is left to finish: passes never overlap.
    if (running) return;
    running = (async () => {
      while (!stopped && (await reconcilePayments(deps, batchSize)) === batchSize);
    })()
      .catch((error: unknown) => deps.log.error({ error }, "payment: reconciling failed; will retry"))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(pass, intervalMs);
  pass();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
