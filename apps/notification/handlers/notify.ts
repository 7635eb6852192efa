import { isRejection } from "../../../lib/domain/index.ts";
import { AppError } from "../../../lib/errors/index.ts";
import type { DomainEvent } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/index.ts";
import type { NotificationDeps } from "../deps.ts";
import { draftFor, notificationDecider } from "../domain/notification.ts";
import { claimSend, markSent } from "../store/notifications.ts";

/** Longer than any send may take; a crashed sender's claim is taken over after it. */
const sendLeaseSeconds = 30;

/**
 * The SEND is the guarded effect (docs/architecture.md#pitfalls-we-avoid): the webhook's fast path
 * claims the key, then the claim below loads the row and hands the send to one delivery (a row per
 * `${type}:${orderId}` with a lease). The domain decides what to send, the message goes out with
 * the key as the provider's idempotency key, and the row is marked sent. A delivery that finds the
 * lease held answers 503 (retry later), not "duplicate": if the holder dies, the retry takes over.
 */
export async function notify(deps: NotificationDeps, event: DomainEvent): Promise<Outcome> {
  const state = await claimSend(deps.db, draftFor(event), deps.clock.now(), sendLeaseSeconds);
  const decision = notificationDecider.decide(event, state);
  if (isRejection(decision)) throw new AppError(decision.rejected, decision.reason, { status: 503, retryable: true });
  if (decision.length === 0) return "duplicate";
  for (const { message } of decision) {
    const { key, ...content } = message;
    await deps.notifier.send({ idempotencyKey: key, ...content });
    await markSent(deps.db, key, deps.clock.now());
  }
  return "processed";
}
