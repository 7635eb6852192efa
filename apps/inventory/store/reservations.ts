import { and, asc, eq, lt, sql } from "drizzle-orm";
import type { Executor } from "../../../lib/db/index.ts";
import type { Reservation, ReservationStatus } from "../domain/state.ts";
import { reservations } from "./schema.ts";

const columns = {
  id: reservations.id,
  orderId: reservations.orderId,
  userId: reservations.userId,
  items: reservations.items,
  status: reservations.status,
  expiresAt: reservations.expiresAt,
};

/**
 * Holds the order until the transaction ends, whether it has a reservation or not: a row that does
 * not exist yet cannot be locked FOR UPDATE, and two payment.completed of one order under different
 * event ids would otherwise both find none and both reserve. The second waits, then finds the first's.
 */
export async function lockOrder(db: Executor, orderId: string): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`inventory:order:${orderId}`}))`);
}

/** The order's reservation, if any; `lock` holds it until the transaction ends. */
export async function findReservation(db: Executor, orderId: string, { lock }: { lock: boolean }): Promise<Reservation | undefined> {
  const query = db.select(columns).from(reservations).where(eq(reservations.orderId, orderId));
  const [row] = lock ? await query.for("update") : await query;
  return row;
}

/**
 * Reservations still held whose `expiresAt` is before `before`, oldest first, locked; SKIP LOCKED
 * lets several inventory processes sweep at once without waiting on each other or taking the same
 * row.
 */
export async function lockReservationsDue(db: Executor, before: Date, limit: number): Promise<Reservation[]> {
  return db
    .select(columns)
    .from(reservations)
    .where(and(eq(reservations.status, "reserved"), lt(reservations.expiresAt, before)))
    .orderBy(asc(reservations.expiresAt))
    .limit(limit)
    .for("update", { skipLocked: true });
}

export async function insertReservation(db: Executor, reservation: Reservation, createdAt: Date): Promise<void> {
  await db.insert(reservations).values({ ...reservation, createdAt });
}

/** False when there is no such reservation to move. */
export async function setReservationStatus(db: Executor, id: string, status: ReservationStatus): Promise<boolean> {
  const rows = await db.update(reservations).set({ status }).where(eq(reservations.id, id)).returning({ id: reservations.id });
  return rows.length === 1;
}
