import type { DomainEvent } from "../../../lib/events/index.ts";
import { AppError } from "../../../lib/errors/app-error.ts";
import type { Outcome } from "../../../lib/http/event-webhook.ts";
import type { NotificationDeps } from "../deps.ts";
import { claimSend, markSent } from "../store/notifications.ts";
import { messageFor } from "./messages.ts";

export const notificationKey = (event: DomainEvent) => `${event.type}:${event.data.orderId}`;

/** Longer than any send may take; a crashed sender's claim is taken over after it. */
const sendLeaseSeconds = 30;

/**
 * Seed mission 4.3, corrected: check-send-record lets two deliveries both send, and a crash
 * between send and record sends again. Here the SEND is the guarded effect: the webhook's fast path
 * claims the key in Redis, then the database hands the send to one delivery (a row per
 * `${type}:${orderId}` with a lease), the message goes out with that key as the provider's
 * idempotency key, and the row is marked sent. A concurrent delivery answers 503 (retry later),
 * not "duplicate": if the holder dies, the retry takes over once the lease has run out, and sends
 * again with the same key, which the provider drops if the first send had reached it.
 */
export async function notify(deps: NotificationDeps, event: DomainEvent): Promise<Outcome> {
  const key = notificationKey(event);
  const { subject, body } = messageFor(event);
  const claim = await claimSend(
    deps.db,
    { key, orderId: event.data.orderId, userId: event.data.userId, type: event.type, subject, body, status: "sending", createdAt: deps.clock.now() },
    sendLeaseSeconds,
  );
  if (!claim.claimed) {
    if (claim.state === "sent") return "duplicate";
    throw new AppError("notification.in_progress", `${key} is being sent by another delivery`, { status: 503, retryable: true });
  }
  const row = claim.claimed;
  await deps.notifier.send({ idempotencyKey: key, userId: row.userId, orderId: row.orderId, type: row.type, subject: row.subject, body: row.body });
  await markSent(deps.db, key, deps.clock.now());
  return "processed";
}
