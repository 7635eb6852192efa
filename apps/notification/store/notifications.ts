import { and, eq, lt, or, isNull, sql } from "drizzle-orm";
import type { Executor } from "../../../lib/db/index.ts";
import type { Message, NotificationState } from "../domain/notification.ts";
import { notifications } from "./schema.ts";

type NotificationRow = typeof notifications.$inferSelect;
/** The row's state for the delivery that tried to claim it (a row exists afterwards, so never "none"). */
export type ClaimedState = Exclude<NotificationState, { status: "none" }>;

/**
 * Loads the row of `draft.key` and hands its send to ONE delivery, in one statement when the key is
 * new: the first delivery inserts the draft with a lease; a later one takes over only when the row
 * is still unsent and the lease has run out (its holder crashed). Leases use the database's clock,
 * so processes with skewed clocks agree.
 */
export async function claimSend(db: Executor, draft: Message, createdAt: Date, leaseSeconds: number): Promise<ClaimedState> {
  const lease = sql`now() + make_interval(secs => ${leaseSeconds})`;
  const inserted = await db
    .insert(notifications)
    .values({ ...draft, status: "sending", claimedUntil: lease, createdAt })
    .onConflictDoNothing()
    .returning();
  if (inserted[0]) return claimed(inserted[0]);
  const takenOver = await db
    .update(notifications)
    .set({ claimedUntil: lease })
    .where(
      and(
        eq(notifications.key, draft.key),
        eq(notifications.status, "sending"),
        or(isNull(notifications.claimedUntil), lt(notifications.claimedUntil, sql`now()`)),
      ),
    )
    .returning();
  if (takenOver[0]) return claimed(takenOver[0]);
  const [existing] = await db.select({ status: notifications.status }).from(notifications).where(eq(notifications.key, draft.key));
  return { status: existing?.status === "sent" ? "sent" : "busy" };
}

function claimed({ key, orderId, userId, type, subject, body }: NotificationRow): ClaimedState {
  return { status: "claimed", message: { key, orderId, userId, type, subject, body } };
}

export async function markSent(db: Executor, key: string, sentAt: Date): Promise<void> {
  await db.update(notifications).set({ status: "sent", sentAt, claimedUntil: null }).where(eq(notifications.key, key));
}

export async function notificationsOf(db: Executor, orderId: string) {
  return db.select().from(notifications).where(eq(notifications.orderId, orderId));
}
