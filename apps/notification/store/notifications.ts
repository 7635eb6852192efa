import { and, eq, inArray, isNull, lt, max, or, sql } from "drizzle-orm";
import { anyOf, type Executor, lockInKeyOrder } from "../../../lib/db/index.ts";
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

function claimed({ key, orderId, userId, type, stage, subject, body }: NotificationRow): Extract<NotificationState, { status: "claimed" }> {
  return { status: "claimed", message: { key, orderId, userId, type, stage, subject, body } };
}

export async function markSent(db: Executor, key: string, sentAt: Date): Promise<void> {
  await db.update(notifications).set({ status: "sent", sentAt, claimedUntil: null }).where(eq(notifications.key, key));
}

export async function notificationsOf(db: Executor, orderId: string) {
  return db.select().from(notifications).where(eq(notifications.orderId, orderId));
}

/** A key's row as a batch finds it: anything but "none" (a key without a row is decided against its order's story). */
export type FoundNotification = Exclude<NotificationState, { status: "none" }>;

/**
 * loadNotification for a whole batch, in three statements (four when a crashed holder's claim is
 * taken over) however many keys: the orders' locks, the keys' rows, and each order's story stage.
 * The locks are taken in the order of their keys, as every batch takes them, so two batches never
 * each hold an order the other waits for (by key, not by order id: that stays true when two order
 * ids hash to one key). The reads are statements of their own, after the locks: their snapshots
 * then see what a holder we waited for committed. `found` has the keys that have a row; `storyStages`
 * every order's latest stage sent or being sent (0: nothing yet).
 */
export async function loadNotifications(
  tx: Executor,
  drafts: Message[],
  leaseSeconds: number,
): Promise<{ found: Map<string, FoundNotification>; storyStages: Map<string, number> }> {
  const keys = [...new Set(drafts.map((draft) => draft.key))];
  const orderIds = [...new Set(drafts.map((draft) => draft.orderId))];
  const found = new Map<string, FoundNotification>();
  const storyStages = new Map<string, number>(orderIds.map((orderId) => [orderId, 0]));
  if (keys.length === 0) return { found, storyStages };
  await lockInKeyOrder(tx, orderIds.map(orderLockName));
  const rows = await tx
    .select({ key: notifications.key, status: notifications.status, expired: sql<boolean>`(${notifications.claimedUntil} is null or ${notifications.claimedUntil} < now())` })
    .from(notifications)
    .where(anyOf(notifications.key, keys));
  const stages = await tx
    .select({ orderId: notifications.orderId, stage: max(notifications.stage) })
    .from(notifications)
    .where(and(anyOf(notifications.orderId, orderIds), inArray(notifications.status, ["sending", "sent"])))
    .groupBy(notifications.orderId);
  for (const { orderId, stage } of stages) storyStages.set(orderId, stage ?? 0);
  const expired: string[] = [];
  for (const { key, status, expired: ranOut } of rows) {
    if (status === "sent" || status === "skipped") found.set(key, { status });
    else if (ranOut) expired.push(key);
    else found.set(key, { status: "busy" });
  }
  for (const row of await takeOver(tx, expired, leaseSeconds)) found.set(row.key, claimed(row));
  // A row whose lease ran out but that another process settled meanwhile is busy, as loadNotification finds it.
  for (const key of expired) if (!found.has(key)) found.set(key, { status: "busy" });
  return { found, storyStages };
}

/** The unsent rows of `keys` whose lease ran out (their holder crashed, or gave them back), claimed anew. */
async function takeOver(tx: Executor, keys: string[], leaseSeconds: number): Promise<NotificationRow[]> {
  if (keys.length === 0) return [];
  return tx
    .update(notifications)
    .set({ claimedUntil: leaseFrom(leaseSeconds) })
    .where(and(anyOf(notifications.key, keys), eq(notifications.status, "sending"), or(isNull(notifications.claimedUntil), lt(notifications.claimedUntil, sql`now()`))))
    .returning();
}

/** The advisory lock that holds an order, as loadNotification takes it. */
const orderLockName = (orderId: string) => `notification:order:${orderId}`;

/** recordDecision for several first deliveries, in one insert. False when a row for a key appeared meanwhile (written without the lock). */
export async function recordDecisions(tx: Executor, decided: NotificationEvent[], createdAt: Date, leaseSeconds: number): Promise<boolean> {
  if (decided.length === 0) return true;
  const rows = decided.map(({ type, message }) => ({
    ...message,
    createdAt,
    ...(type === "notification.send" ? { status: "sending" as const, claimedUntil: leaseFrom(leaseSeconds) } : { status: "skipped" as const, claimedUntil: null }),
  }));
  const inserted = await tx.insert(notifications).values(rows).onConflictDoNothing().returning({ key: notifications.key });
  return inserted.length === decided.length;
}

/**
 * After a batch's sends, in one statement: the `sent` rows are marked sent (markSent for each),
 * and the `released` ones (claimed, not sent: a send failed before them) give their lease back, so
 * that the next delivery takes them over at once instead of waiting for it to run out.
 */
export async function settleSends(db: Executor, sent: string[], released: string[], sentAt: Date): Promise<void> {
  if (sent.length + released.length === 0) return;
  if (released.length === 0) {
    await db.update(notifications).set({ status: "sent", sentAt, claimedUntil: null }).where(anyOf(notifications.key, sent));
    return;
  }
  const wasSent = anyOf(notifications.key, sent);
  await db
    .update(notifications)
    .set({
      status: sql`case when ${wasSent} then 'sent' else ${notifications.status} end`,
      sentAt: sql`case when ${wasSent} then ${sentAt.toISOString()}::timestamptz else ${notifications.sentAt} end`,
      claimedUntil: null,
    })
    .where(anyOf(notifications.key, [...sent, ...released]));
}
