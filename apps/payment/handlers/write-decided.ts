import { type Decision, isRejection } from "../../../lib/domain/index.ts";
import { AppError } from "../../../lib/errors/index.ts";
import { type DomainEvent, newEvent } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/index.ts";
import { claimEvent, enqueue } from "../../../lib/outbox/index.ts";
import type { PaymentDeps } from "../deps.ts";
import { isPublished } from "../domain/payment.ts";
import type { PaymentEvent } from "../domain/types.ts";
import { outbox, processedEvents } from "../store/schema.ts";
import { saveDecided, type WriteGuard } from "../store/transitions.ts";

export type WriteContext = WriteGuard & {
  /** The incoming event of a delivery, claimed in the same transaction; the reconciler has none. */
  claim?: DomainEvent;
  /** The event the emitted one follows from (its causationid); without it, only the order's correlationid. */
  cause?: { id: string; correlationid: string };
};

/**
 * Writes what a decision settled, in one transaction: the payment's move (conditional, so only the
 * writer that makes it emits), the incoming event's claim, and the published event, if any, in the
 * outbox (docs/architecture.md#delivery-path). Nothing moved: a late or repeated answer.
 */
export async function writeDecided(deps: PaymentDeps, orderId: string, decided: PaymentEvent[], context: WriteContext): Promise<Outcome> {
  // A charge request is written by recordIntent, before the call; the rest is written here.
  const recorded = decided.filter((event) => event.type !== "ChargeRequested");
  const [event, ...more] = recorded;
  if (!event) return "duplicate";
  if (more.length > 0) throw new AppError("payment.decided_twice", `one answer moved payment of order ${orderId} twice: ${recorded.map((e) => e.type).join(", ")}`);
  const guard = { ...context, causeId: context.causeId ?? context.cause?.id };
  return deps.db.transaction(async (tx) => {
    if (!(await saveDecided(tx, orderId, event, guard))) return "duplicate";
    if (context.claim) await claimEvent(tx, processedEvents, context.claim);
    if (isPublished(event)) {
      const envelope = context.cause ? { cause: context.cause } : { correlationid: orderId };
      await enqueue(tx, outbox, [newEvent(event.type, event.data, { id: deps.ids.next(), time: event.at, ...envelope })]);
    }
    return "processed";
  });
}

/** The decided events; a rejection here is a broken promise of the gateway, not a late event. */
export function eventsOrThrow(decision: Decision<PaymentEvent>): PaymentEvent[] {
  if (isRejection(decision)) throw new AppError(decision.rejected, decision.reason);
  return decision;
}
