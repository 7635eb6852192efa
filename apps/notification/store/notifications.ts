import { and, eq, lt, or, isNull, sql } from "drizzle-orm";
import type { Executor } from "../../../lib/db/types.ts";
import { notifications } from "./schema.ts";

export type NotificationRow = typeof notifications.$inferSelect;
export type SendClaim = "claimed" | "sent" | "busy";

/**
 * Hands the send of one notification to ONE delivery: the first inserts the row with a lease; a
 * later one takes over only when the row is still unsent and the lease has run out (its holder
 * crashed). Leases use the database's clock, so processes with skewed clocks agree.
 */
export async function claimSend(db: Executor, row: typeof notifications.$inferInsert, leaseSeconds: number): Promise<SendClaim> {
  const lease = sql`now() + make_interval(secs => ${leaseSeconds})`;
  const inserted = await db
    .insert(notifications)
    .values({ ...row, status: "sending", claimedUntil: lease })
    .onConflictDoNothing()
    .returning({ key: notifications.key });
  if (inserted.length === 1) return "claimed";
  const takenOver = await db
    .update(notifications)
    .set({ claimedUntil: lease })
    .where(
      and(
        eq(notifications.key, row.key),
        eq(notifications.status, "sending"),
        or(isNull(notifications.claimedUntil), lt(notifications.claimedUntil, sql`now()`)),
      ),
    )
    .returning({ key: notifications.key });
  if (takenOver.length === 1) return "claimed";
  const [existing] = await db.select({ status: notifications.status }).from(notifications).where(eq(notifications.key, row.key));
  return existing?.status === "sent" ? "sent" : "busy";
}

export async function markSent(db: Executor, key: string, sentAt: Date): Promise<void> {
  await db.update(notifications).set({ status: "sent", sentAt, claimedUntil: null }).where(eq(notifications.key, key));
}

export async function findNotification(db: Executor, key: string): Promise<NotificationRow | undefined> {
  const [row] = await db.select().from(notifications).where(eq(notifications.key, key));
  return row;
}
