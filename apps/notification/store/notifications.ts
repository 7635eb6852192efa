import { and, eq, inArray, isNull, lt, max, or, sql } from "drizzle-orm";
import type { Executor } from "../../../lib/db/index.ts";
import type { Message, NotificationEvent, NotificationState } from "../domain/notification.ts";
import { notifications } from "./schema.ts";

type NotificationRow = typeof notifications.$inferSelect;

/**
 * The state of `draft.key` for this delivery, inside the caller's transaction, with the order held
 * until it ends: deliveries of one order's messages decide one after the other, so each sees the
 * story as the one before left it. An unsent row whose lease ran out (its holder crashed) is taken
 * over here. Leases use the database's clock, so processes with skewed clocks agree.
 */
export async function loadNotification(tx: Executor, draft: Message, leaseSeconds: number): Promise<NotificationState> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`notification:order:${draft.orderId}`}))`);
  const [existing] = await tx.select({ status: notifications.status }).from(notifications).where(eq(notifications.key, draft.key));
  if (!existing) return { status: "none", storyStage: await storyStage(tx, draft.orderId) };
  if (existing.status === "sent" || existing.status === "skipped") return { status: existing.status };
  const [takenOver] = await tx
    .update(notifications)
    .set({ claimedUntil: leaseFrom(leaseSeconds) })
    .where(and(eq(notifications.key, draft.key), eq(notifications.status, "sending"), or(isNull(notifications.claimedUntil), lt(notifications.claimedUntil, sql`now()`))))
    .returning();
  return takenOver ? claimed(takenOver) : { status: "busy" };
}

/** The latest stage of the order's story the customer was sent, or is being sent (0: nothing yet). */
async function storyStage(tx: Executor, orderId: string): Promise<number> {
  const [row] = await tx
    .select({ stage: max(notifications.stage) })
    .from(notifications)
    .where(and(eq(notifications.orderId, orderId), inArray(notifications.status, ["sending", "sent"])));
  return row?.stage ?? 0;
}

/**
 * Records a first delivery's decision: a row claimed for sending, with its lease, or a row marked
 * skipped. False when a row for the key appeared meanwhile (written by a process without the lock).
 */
export async function recordDecision(tx: Executor, { type, message }: NotificationEvent, createdAt: Date, leaseSeconds: number): Promise<boolean> {
  const row = type === "notification.send" ? { status: "sending" as const, claimedUntil: leaseFrom(leaseSeconds) } : { status: "skipped" as const };
  const inserted = await tx.insert(notifications).values({ ...message, ...row, createdAt }).onConflictDoNothing().returning({ key: notifications.key });
  return inserted.length === 1;
}

function leaseFrom(leaseSeconds: number) {
  return sql`now() + make_interval(secs => ${leaseSeconds})`;
}

function claimed({ key, orderId, userId, type, stage, subject, body }: NotificationRow): NotificationState {
  return { status: "claimed", message: { key, orderId, userId, type, stage, subject, body } };
}

export async function markSent(db: Executor, key: string, sentAt: Date): Promise<void> {
  await db.update(notifications).set({ status: "sent", sentAt, claimedUntil: null }).where(eq(notifications.key, key));
}

export async function notificationsOf(db: Executor, orderId: string) {
  return db.select().from(notifications).where(eq(notifications.orderId, orderId));
}
