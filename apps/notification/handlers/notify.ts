import { isRejection } from "../../../lib/domain/index.ts";
import { AppError } from "../../../lib/errors/index.ts";
import type { Outcome } from "../../../lib/http/index.ts";
import type { NotificationDeps } from "../deps.ts";
import { draftFor, notificationDecider } from "../domain/notification.ts";
import type { NotifiedEvent } from "../domain/stages.ts";
import { loadNotification, markSent, recordDecision } from "../store/notifications.ts";

/** Longer than any send may take; a crashed sender's claim is taken over after it. */
export const sendLeaseSeconds = 30;

/**
 * The SEND is the guarded effect (docs/architecture.md#pitfalls-we-avoid): the webhook's fast path
 * claims the key, then one transaction holds the order, loads the key's row and the order's story,
 * lets the domain decide, and records it: a row claimed for sending (with a lease), or skipped when
 * the customer already heard of a later step. The message goes out with the key as the provider's
 * idempotency key, and the row is marked sent. A delivery that finds the lease held answers 503
 * (retry later), not "duplicate": if the holder dies, the retry takes over.
 */
export async function notify(deps: NotificationDeps, event: NotifiedEvent): Promise<Outcome> {
  const draft = draftFor(event);
  const decision = await deps.db.transaction(async (tx) => {
    const state = await loadNotification(tx, draft, sendLeaseSeconds);
    const decided = notificationDecider.decide(event, state);
    if (isRejection(decided) || state.status !== "none") return decided;
    for (const each of decided) if (!(await recordDecision(tx, each, deps.clock.now(), sendLeaseSeconds))) return inProgress(draft.key);
    return decided;
  });
  if (isRejection(decision)) throw new AppError(decision.rejected, decision.reason, { status: 503, retryable: true });
  if (decision.length === 0) return "duplicate";
  for (const { type, message } of decision) {
    if (type === "notification.skip") {
      deps.log.info({ orderId: message.orderId, type: message.type }, "notification: skipped, the customer heard of a later step already");
      continue;
    }
    const { key, stage: _stage, ...content } = message;
    await deps.notifier.send({ idempotencyKey: key, ...content });
    await markSent(deps.db, key, deps.clock.now());
  }
  return "processed";
}

const inProgress = (key: string) => ({ rejected: "notification.in_progress", reason: `${key} was claimed by another delivery` });
