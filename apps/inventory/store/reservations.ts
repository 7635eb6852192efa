import { and, asc, eq, lt } from "drizzle-orm";
import type { Executor } from "../../../lib/db/types.ts";
import { reservations, type ReservationStatus } from "./schema.ts";

export type ReservationRow = typeof reservations.$inferSelect;

export async function findReservationForUpdate(db: Executor, orderId: string): Promise<ReservationRow | undefined> {
  const [row] = await db.select().from(reservations).where(eq(reservations.orderId, orderId)).for("update");
  return row;
}

export async function setReservationStatus(db: Executor, id: string, status: ReservationStatus): Promise<void> {
  await db.update(reservations).set({ status }).where(eq(reservations.id, id));
}

/**
 * Reservations held past `before`, oldest first, locked; SKIP LOCKED lets several inventory
 * processes sweep at once without waiting on each other or taking the same row.
 */
export async function lockExpiredReservations(db: Executor, before: Date, limit: number): Promise<ReservationRow[]> {
  return db
    .select()
    .from(reservations)
    .where(and(eq(reservations.status, "reserved"), lt(reservations.expiresAt, before)))
    .orderBy(asc(reservations.expiresAt))
    .limit(limit)
    .for("update", { skipLocked: true });
}
