import { and, eq, lt, or, isNull, sql } from "drizzle-orm";
import type { Executor } from "../../../lib/db/types.ts";
import { notifications } from "./schema.ts";

export type NotificationRow = typeof notifications.$inferSelect;
/** The row to send when this delivery holds the send; otherwise why not. */
export type SendClaim = { claimed: NotificationRow } | { claimed?: undefined; state: "sent" | "busy" };

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
    .returning();
  if (inserted[0]) return { claimed: inserted[0] };
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
    .returning();
  // Taken over: send what the first delivery recorded, so the record is what went out.
  if (takenOver[0]) return { claimed: takenOver[0] };
  const [existing] = await db.select({ status: notifications.status }).from(notifications).where(eq(notifications.key, row.key));
  return { state: existing?.status === "sent" ? "sent" : "busy" };
}

export async function markSent(db: Executor, key: string, sentAt: Date): Promise<void> {
  await db.update(notifications).set({ status: "sent", sentAt, claimedUntil: null }).where(eq(notifications.key, key));
}
