import { outbox, processedEvents } from "../store/schema.ts";
import { type Decision, isRejection } from "../../../lib/domain/index.ts";
import { AppError } from "../../../lib/errors/index.ts";
import { type DomainEvent, newEvent } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/index.ts";
import { claimEvent, enqueue } from "../../../lib/outbox/index.ts";
import type { PaymentDeps } from "../deps.ts";
import { isPublished } from "../domain/payment.ts";
import type { PaymentEvent } from "../domain/types.ts";
import { saveSettlement } from "../store/payments.ts";

/**
 * Writes what a gateway answer settled, in one transaction: the payment's move (conditional, so
 * only the delivery that makes it emits), the incoming event's claim, and the published event in
 * the outbox (docs/architecture.md#delivery-path). Nothing settled: a late or repeated answer.
 */
export async function writeSettlement(deps: PaymentDeps, cause: DomainEvent, decided: PaymentEvent[]): Promise<Outcome> {
  const [settled] = decided.filter(isPublished);
  if (!settled) return "duplicate";
  return deps.db.transaction(async (tx) => {
    if (!(await saveSettlement(tx, settled))) return "duplicate";
    await claimEvent(tx, processedEvents, cause);
    await enqueue(tx, outbox, [newEvent(settled.type, settled.data, { id: deps.ids.next(), time: settled.at, cause })]);
    return "processed";
  });
}

/** The decided events; a rejection here is a broken promise of the gateway, not a late event. */
export function eventsOrThrow(decision: Decision<PaymentEvent>): PaymentEvent[] {
  if (isRejection(decision)) throw new AppError(decision.rejected, decision.reason);
  return decision;
}
