import { and, eq } from "drizzle-orm";
import type { DomainEvent } from "../../../lib/events/index.ts";
import type { Outcome } from "../../../lib/http/event-webhook.ts";
import type { NotificationDeps } from "../deps.ts";
import { notifications } from "../store/schema.ts";
import { messageFor } from "./messages.ts";

export const notificationKey = (event: DomainEvent) => `${event.type}:${event.data.orderId}`;

/**
 * Seed mission 4.3, corrected: the webhook's fast path has already claimed the key (SET NX with a
 * TTL), so concurrent deliveries do not both send. Here the row is claimed under its primary key
 * BEFORE sending, the send is the guarded effect, and the row is marked sent after. A crash between
 * send and mark resends once on redelivery, with the same idempotency key for the provider.
 */
export async function notify(deps: NotificationDeps, event: DomainEvent): Promise<Outcome> {
  const key = notificationKey(event);
  const { subject, body } = messageFor(event);
  const now = deps.clock.now();
  await deps.db
    .insert(notifications)
    .values({ key, orderId: event.data.orderId, userId: event.data.userId, type: event.type, subject, body, status: "sending", createdAt: now })
    .onConflictDoNothing();
  const [row] = await deps.db.select().from(notifications).where(eq(notifications.key, key));
  if (!row || row.status === "sent") return "duplicate";

  await deps.notifier.send({ idempotencyKey: key, userId: row.userId, orderId: row.orderId, type: row.type, subject: row.subject, body: row.body });
  const marked = await deps.db
    .update(notifications)
    .set({ status: "sent", sentAt: deps.clock.now() })
    .where(and(eq(notifications.key, key), eq(notifications.status, "sending")))
    .returning({ key: notifications.key });
  return marked.length === 1 ? "processed" : "duplicate";
}
